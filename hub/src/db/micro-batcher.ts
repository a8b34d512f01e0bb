/**
 * Groups concurrent calls into one database statement. Under light load every call flushes on
 * its own at the next turn of the event loop; under heavy load calls queue while earlier batches
 * run, so one commit serves many requests. Each caller's promise settles only after the batch
 * holding its item has committed. A batch that fails is retried item by item, so one bad item
 * (another school's, say) fails alone and never takes its neighbours down with it.
 */
import type { Database } from './database';
import { isDatabaseUnavailable } from './health';

/**
 * A batcher of one statement on `db`: up to 256 items a batch; several batches at once over
 * PostgreSQL's pool, one at a time on PGlite (one connection); a batch failing for an outage
 * fails whole at once (no item-by-item retry against a database that is down). With `keyOf`,
 * items of one key are flushed one batch at a time, in the order they were submitted.
 */
export function statementBatcher<In, Out>(
  db: Pick<Database, 'kind'>,
  flush: (items: In[]) => Promise<Out[]>,
  options: { onBatchFailure?: (error: unknown, size: number) => void; keyOf?: (item: In) => string } = {},
): MicroBatcher<In, Out> {
  return new MicroBatcher(flush, {
    maxBatch: 256,
    maxConcurrent: db.kind === 'postgres' ? 4 : 1,
    onBatchFailure: options.onBatchFailure,
    worthRetryingItems: (error) => !isDatabaseUnavailable(error),
    keyOf: options.keyOf,
  });
}

export interface MicroBatcherOptions<In> {
  maxBatch: number;
  maxConcurrent: number;
  onBatchFailure?: (error: unknown, size: number) => void;
  /** False for an error that would fail every item alike (the database is down): the batch fails whole, at once. */
  worthRetryingItems?: (error: unknown) => boolean;
  /**
   * Items that must not be flushed side by side (one user's events, which the statement locks and
   * plans in order): an item whose key a running batch holds waits for that batch, and so does
   * every later item of that key. Everything of a key queued meanwhile then goes in one batch,
   * instead of several small batches each waiting on the one before.
   */
  keyOf?: (item: In) => string;
}

interface Entry<In, Out> {
  item: In;
  key: string | undefined;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<In, Out> {
  private queue: Array<Entry<In, Out>> = [];
  private scheduled = false;
  private running = 0;
  /** The keys running batches hold, with how many of their items each holds. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly flush: (items: In[]) => Promise<Out[]>,
    private readonly options: MicroBatcherOptions<In>,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, key: this.options.keyOf?.(item), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** The next batch: the oldest items, in order, skipping those of a key a running batch holds. */
  private take(): Array<Entry<In, Out>> {
    if (this.held.size === 0) return this.queue.splice(0, this.options.maxBatch);
    const batch: Array<Entry<In, Out>> = [];
    const rest: Array<Entry<In, Out>> = [];
    for (const entry of this.queue) {
      if (batch.length < this.options.maxBatch && (entry.key === undefined || !this.held.has(entry.key))) batch.push(entry);
      else rest.push(entry);
    }
    this.queue = rest;
    return batch;
  }

  private hold(batch: ReadonlyArray<Entry<In, Out>>, delta: 1 | -1): void {
    for (const { key } of batch) {
      if (key === undefined) continue;
      const count = (this.held.get(key) ?? 0) + delta;
      if (count > 0) this.held.set(key, count);
      else this.held.delete(key);
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.running < this.options.maxConcurrent) {
      const batch = this.take();
      if (batch.length === 0) return; // everything queued waits on a running batch's keys
      this.hold(batch, 1);
      this.running += 1;
      this.flush(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          async (error: unknown) => {
            if (batch.length === 1) return batch[0].reject(error);
            if (!(this.options.worthRetryingItems?.(error) ?? true)) return batch.forEach((b) => b.reject(error));
            this.options.onBatchFailure?.(error, batch.length);
            for (const entry of batch) {
              await this.flush([entry.item]).then(
                (results) => entry.resolve(results[0]),
                (itemError: unknown) => entry.reject(itemError),
              );
            }
          },
        )
        .finally(() => {
          this.hold(batch, -1);
          this.running -= 1;
          this.drain();
        });
    }
  }
}
