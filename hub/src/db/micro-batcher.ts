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
 * fails whole at once (no item-by-item retry against a database that is down).
 */
export function statementBatcher<In, Out>(
  db: Pick<Database, 'kind'>,
  flush: (items: In[]) => Promise<Out[]>,
  onBatchFailure?: (error: unknown, size: number) => void,
): MicroBatcher<In, Out> {
  return new MicroBatcher(flush, 256, db.kind === 'postgres' ? 4 : 1, onBatchFailure, (error) => !isDatabaseUnavailable(error));
}

export class MicroBatcher<In, Out> {
  private queue: Array<{ item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly flush: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch: number,
    private readonly maxConcurrent: number,
    private readonly onBatchFailure?: (error: unknown, size: number) => void,
    /** False for an error that would fail every item alike (the database is down): the batch fails whole, at once. */
    private readonly worthRetryingItems: (error: unknown) => boolean = () => true,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.running < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running += 1;
      this.flush(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          async (error: unknown) => {
            if (batch.length === 1) return batch[0].reject(error);
            if (!this.worthRetryingItems(error)) return batch.forEach((b) => b.reject(error));
            this.onBatchFailure?.(error, batch.length);
            for (const entry of batch) {
              await this.flush([entry.item]).then(
                (results) => entry.resolve(results[0]),
                (itemError: unknown) => entry.reject(itemError),
              );
            }
          },
        )
        .finally(() => {
          this.running -= 1;
          this.drain();
        });
    }
  }
}
