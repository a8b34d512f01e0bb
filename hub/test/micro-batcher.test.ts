/** The micro-batcher alone: batches formed while others run, and items of one key kept in order, one batch at a time. */
import { MicroBatcher } from '../src/db/micro-batcher';

interface Item {
  key: string;
  n: number;
}

/** A flush that records each batch and settles only when the test says so. */
function heldFlush() {
  const batches: Array<{ names: string[]; settle: (fail?: Error) => void }> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const flush = (items: Item[]): Promise<string[]> =>
    new Promise<string[]>((resolve, reject) => {
      const names = items.map((i) => `${i.key}${i.n}`);
      batches.push({ names, settle: (fail) => (fail ? reject(fail) : resolve(names.map((n) => `stored ${n}`))) });
      for (const w of waiters.filter((w) => batches.length >= w.count)) w.resolve();
    });
  /** Resolves once `count` batches have been flushed (a state, not a delay). */
  const flushed = (count: number) => new Promise<void>((resolve) => (batches.length >= count ? resolve() : waiters.push({ count, resolve })));
  return { flush, batches, flushed };
}

const item = (key: string, n: number): Item => ({ key, n });

test('with a key, a key held by a running batch waits for it, other keys go ahead, and what waited goes in one batch, in order', async () => {
  const { flush, batches, flushed } = heldFlush();
  const batcher = new MicroBatcher<Item, string>(flush, { maxBatch: 256, maxConcurrent: 4, keyOf: (i) => i.key });
  const first = batcher.submit(item('a', 1));
  await flushed(1);
  const waiting = [batcher.submit(item('a', 2)), batcher.submit(item('b', 1)), batcher.submit(item('a', 3))];
  await flushed(2);
  expect(batches.map((b) => b.names)).toEqual([['a1'], ['b1']]); // a2 and a3 wait for a1's batch

  const late = batcher.submit(item('a', 4));
  batches[0].settle();
  await flushed(3);
  expect(batches[2].names).toEqual(['a2', 'a3', 'a4']);
  batches[1].settle();
  batches[2].settle();
  expect(await Promise.all([first, ...waiting, late])).toEqual(['stored a1', 'stored a2', 'stored b1', 'stored a3', 'stored a4']);
});

test('without a key, items submitted while a batch runs start their own batch beside it', async () => {
  const { flush, batches, flushed } = heldFlush();
  const batcher = new MicroBatcher<Item, string>(flush, { maxBatch: 256, maxConcurrent: 4 });
  const results = [batcher.submit(item('a', 1))];
  await flushed(1);
  results.push(batcher.submit(item('a', 2)), batcher.submit(item('a', 3)));
  await flushed(2);
  expect(batches.map((b) => b.names)).toEqual([['a1'], ['a2', 'a3']]);
  for (const b of batches) b.settle();
  expect(await Promise.all(results)).toEqual(['stored a1', 'stored a2', 'stored a3']);
});

test('a failed batch is retried item by item while it still holds its key: a later item of the key waits for the retries', async () => {
  const { flush, batches, flushed } = heldFlush();
  const failures: number[] = [];
  const batcher = new MicroBatcher<Item, string>(flush, {
    maxBatch: 256,
    maxConcurrent: 4,
    keyOf: (i) => i.key,
    onBatchFailure: (_, size) => failures.push(size),
  });
  const a1 = batcher.submit(item('a', 1));
  const a2 = batcher.submit(item('a', 2));
  await flushed(1);
  const a3 = batcher.submit(item('a', 3));
  batches[0].settle(new Error('one bad item'));
  await flushed(2);
  expect(failures).toEqual([2]);
  expect(batches[1].names).toEqual(['a1']); // the retry of the first item, alone
  batches[1].settle(new Error('a1 is the bad one'));
  await flushed(3);
  expect(batches[2].names).toEqual(['a2']); // a3 still waits: the failed batch holds 'a' until its retries end
  batches[2].settle();
  await flushed(4);
  expect(batches[3].names).toEqual(['a3']);
  batches[3].settle();
  await expect(a1).rejects.toThrow('a1 is the bad one');
  expect(await Promise.all([a2, a3])).toEqual(['stored a2', 'stored a3']);
});
