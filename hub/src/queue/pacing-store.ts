/** The pacing rows (queue/pacing.ts): one per target URL and one per account, kept in step with the subscriptions. */
import type { Database, Queryable } from '../db/database';

/** The pacing rows of a (new) subscription's target and its account, in the subscription's transaction. */
export async function addTargetPacing(tx: Queryable, targetUrl: string): Promise<void> {
  await tx.query(
    `WITH t AS (
           INSERT INTO target_pace (target_url) VALUES ($1) ON CONFLICT (target_url) DO UPDATE SET target_url = EXCLUDED.target_url
           RETURNING account
         )
         INSERT INTO account_pace (account) SELECT account FROM t ON CONFLICT (account) DO NOTHING`,
    [targetUrl],
  );
}

export class PacingStore {
  constructor(
    private readonly db: Database,
    private readonly options: { accountWindowMs: number },
  ) {}

  /** Every subscription's target has its pacing rows (they are made with the subscription; this repairs a gap). */
  async ensure(): Promise<void> {
    // Two statements: the second must see the rows the first inserted.
    await this.db.query('INSERT INTO target_pace (target_url) SELECT DISTINCT target_url FROM subscriptions ON CONFLICT (target_url) DO NOTHING');
    await this.db.query('INSERT INTO account_pace (account) SELECT DISTINCT account FROM target_pace ON CONFLICT (account) DO NOTHING');
  }

  /** Pacing rows of targets no subscription uses any more, once their pacing has run out. */
  async forgetUnused(): Promise<void> {
    await this.db.query(
      `DELETE FROM target_pace p WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.target_url = p.target_url)
       AND p.tat_ms < extract(epoch from now()) * 1000 AND coalesce(p.paused_until, '-infinity') < now()`,
    );
    await this.db.query(
      `DELETE FROM account_pace a WHERE NOT EXISTS (SELECT 1 FROM target_pace p WHERE p.account = a.account)
       AND a.window_start_ms < extract(epoch from now()) * 1000 - 2 * $1::double precision`,
      [this.options.accountWindowMs],
    );
    await this.ensure();
  }
}
