/**
 * An operator's replays: a finished delivery back on the queue, due now, with the same
 * Webhook-Id and a fresh retry budget (a new round; the attempt count stays monotonic, since it
 * fences claims) and a fresh throttling clock.
 */
import type { Database } from '../db/database';

export type ReplayResult = 'replayed' | 'pending' | 'missing';

export class Replays {
  constructor(private readonly db: Database) {}

  /** Puts a finished delivery back on the queue now, same Webhook-Id, with a fresh retry budget. */
  async replay(id: string): Promise<ReplayResult> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), locked_until = NULL, finished_at = NULL, round_start = attempts, throttled_since = NULL
       WHERE id = $1 AND status IN ('failed', 'delivered') RETURNING id::text AS id`,
      [id],
    );
    if (rows.length > 0) return 'replayed';
    const { rows: found } = await this.db.query('SELECT 1 FROM deliveries WHERE id = $1', [id]);
    return found.length > 0 ? 'pending' : 'missing';
  }

  /** Replays every failed delivery of one subscription; undefined when there is no such subscription. */
  async replayFailed(subscriptionId: string): Promise<number | undefined> {
    const { rows: exists } = await this.db.query('SELECT 1 FROM subscriptions WHERE id = $1::uuid', [subscriptionId]);
    if (exists.length === 0) return undefined;
    const { rowCount } = await this.db.query(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), locked_until = NULL, finished_at = NULL, round_start = attempts, throttled_since = NULL
       WHERE subscription_id = $1::uuid AND status = 'failed'`,
      [subscriptionId],
    );
    return rowCount;
  }
}
