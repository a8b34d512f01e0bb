/** What the metrics sample of the queue: its depth, and the targets throttled after a 429 with their backlog. */
import type { Database } from '../db/database';
import { RECOVER_MS, rateShareSql } from './pacing';

export class QueueStats {
  constructor(private readonly db: Database) {}

  async depth(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Target URLs paused or slowed after a 429 now, and the deliveries waiting for them. */
  async throttled(): Promise<{ targets: number; backlog: number }> {
    const { rows } = await this.db.query<{ targets: number; backlog: number }>(
      `SELECT count(DISTINCT p.target_url)::int AS targets, count(d.id)::int AS backlog
       FROM target_pace p
       JOIN subscriptions s ON s.target_url = p.target_url
       LEFT JOIN deliveries d ON d.subscription_id = s.id AND d.status = 'pending'
       WHERE p.paused_until > now() OR ${rateShareSql('p', '$1')} < 1`,
      [RECOVER_MS],
    );
    return { targets: Number(rows[0]?.targets ?? 0), backlog: Number(rows[0]?.backlog ?? 0) };
  }
}
