/** Zaps' subscriptions: created idempotently within a school's limit, deleted by their school or on 410 Gone. */
import type { Database } from '../db/database';
import { iso } from '../db/sql';
import { addTargetPacing } from '../queue/pacing-store';

export interface Subscription {
  id: string;
  event: string;
  target_url: string;
  filters: Record<string, string>;
  created_at: string;
}

export type SubscriptionResult = { kind: 'created'; subscription: Subscription } | { kind: 'limit'; limit: number };

export class SubscriptionStore {
  constructor(private readonly db: Database) {}

  /**
   * Idempotent: the same tenant, event and target get the same subscription (filters updated).
   * A school may hold at most `limit` subscriptions; the school's row is locked meanwhile, so
   * concurrent calls cannot overshoot.
   */
  async create(input: { tenantKey: string; event: string; targetUrl: string; filters: Record<string, string> }, limit: number): Promise<SubscriptionResult> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM tenants WHERE tenant_key = $1 FOR UPDATE', [input.tenantKey]);
      const { rows: counted } = await tx.query<{ n: number; same: boolean }>(
        `SELECT count(*)::int AS n, coalesce(bool_or(event = $2 AND target_url = $3), false) AS same
         FROM subscriptions WHERE tenant_key = $1`,
        [input.tenantKey, input.event, input.targetUrl],
      );
      if (!counted[0].same && Number(counted[0].n) >= limit) return { kind: 'limit', limit };
      const { rows } = await tx.query<{ id: string; event: string; target_url: string; filters: Record<string, string>; created_at: Date }>(
        `INSERT INTO subscriptions (tenant_key, event, target_url, filters) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (tenant_key, event, target_url) DO UPDATE SET filters = EXCLUDED.filters
         RETURNING id::text AS id, event, target_url, filters, created_at`,
        [input.tenantKey, input.event, input.targetUrl, JSON.stringify(input.filters)],
      );
      await addTargetPacing(tx, input.targetUrl);
      const row = rows[0];
      return { kind: 'created', subscription: { ...row, created_at: iso(row.created_at) } };
    });
  }

  /** Deletes a subscription only for its own tenant; false for anyone else's id. */
  async delete(id: string, tenantKey: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM subscriptions WHERE id = $1::uuid AND tenant_key = $2', [id, tenantKey]);
    return rowCount > 0;
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM subscriptions WHERE id = $1::uuid', [id]);
  }
}
