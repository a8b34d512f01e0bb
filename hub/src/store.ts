/** Every query the hub runs: tenants, subscriptions, inbound events, and the delivery outbox. */
import type { Database } from './database';

export interface Subscription {
  id: string;
  event: string;
  target_url: string;
  filters: Record<string, string>;
  created_at: string;
}

export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  attempts: number;
  subscriptionId: string;
  targetUrl: string;
  secretEnc: string;
  body: Buffer;
  receivedAt: Date;
}

export interface InboundResult {
  /** null when the body was a repeat within the dedupe window. */
  eventId: string | null;
  deliveries: number;
}

const ms = (param: string) => `(${param}::double precision * interval '1 millisecond')`;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

export class HubStore {
  constructor(
    private readonly db: Database,
    private readonly options: { dedupeWindowHours: number; leaseMs: number },
  ) {}

  async upsertTenant(tenantKey: string, secretEnc: string, schoolUrl: string): Promise<void> {
    await this.db.query(
      `INSERT INTO tenants (tenant_key, secret_enc, school_url) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_key) DO UPDATE SET school_url = EXCLUDED.school_url`,
      [tenantKey, secretEnc, schoolUrl],
    );
  }

  async tenantExists(tenantKey: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM tenants WHERE tenant_key = $1', [tenantKey]);
    return rows.length > 0;
  }

  /** Idempotent: the same tenant, event and target get the same subscription (filters updated). */
  async createSubscription(input: { tenantKey: string; event: string; targetUrl: string; filters: Record<string, string> }): Promise<Subscription> {
    const { rows } = await this.db.query<{ id: string; event: string; target_url: string; filters: Record<string, string>; created_at: Date }>(
      `INSERT INTO subscriptions (tenant_key, event, target_url, filters) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (tenant_key, event, target_url) DO UPDATE SET filters = EXCLUDED.filters
       RETURNING id::text AS id, event, target_url, filters, created_at`,
      [input.tenantKey, input.event, input.targetUrl, JSON.stringify(input.filters)],
    );
    const row = rows[0]!;
    return { ...row, created_at: iso(row.created_at) };
  }

  /** Deletes a subscription only for its own tenant; false for anyone else's id. */
  async deleteSubscription(id: string, tenantKey: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM subscriptions WHERE id = $1::uuid AND tenant_key = $2', [id, tenantKey]);
    return rowCount > 0;
  }

  async removeSubscription(id: string): Promise<void> {
    await this.db.query('DELETE FROM subscriptions WHERE id = $1::uuid', [id]);
  }

  /**
   * Stores a verified delivery and its fan-out rows in one statement (atomic, one round trip),
   * unless an identical body from the same tenant was accepted within the dedupe window.
   */
  async acceptInbound(tenantKey: string, eventType: string, body: Buffer, bodyHash: string): Promise<InboundResult> {
    const { rows } = await this.db.query<{ event_id: string | null; deliveries: number }>(
      `WITH claim AS (
         INSERT INTO inbound_dedupe (tenant_key, body_hash, expires_at)
         VALUES ($1, $2, now() + ($5::double precision * interval '1 hour'))
         ON CONFLICT (tenant_key, body_hash) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE inbound_dedupe.expires_at < now()
         RETURNING 1
       ), ev AS (
         INSERT INTO events (tenant_key, event_type, body) SELECT $1, $3, $4 FROM claim RETURNING id
       ), fan AS (
         INSERT INTO deliveries (event_id, subscription_id)
         SELECT ev.id, s.id FROM ev JOIN subscriptions s ON s.tenant_key = $1 AND (s.event = $3 OR s.event = '*')
         RETURNING 1
       )
       SELECT (SELECT id::text FROM ev) AS event_id, (SELECT count(*) FROM fan)::int AS deliveries`,
      [tenantKey, bodyHash, eventType, body, this.options.dedupeWindowHours],
    );
    const row = rows[0]!;
    return { eventId: row.event_id, deliveries: Number(row.deliveries) };
  }

  /** Claims up to `limit` due deliveries for this process (FOR UPDATE SKIP LOCKED + a lease). */
  async claimDue(limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.db.query<{
      id: string;
      webhook_id: string;
      attempts: number;
      subscription_id: string;
      target_url: string;
      secret_enc: string;
      body: Uint8Array;
      received_at: Date;
    }>(
      `WITH due AS (
         SELECT id FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE deliveries d SET locked_until = now() + ${ms('$2')}, attempts = d.attempts + 1
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.webhook_id, d.attempts, d.event_id, d.subscription_id
       )
       SELECT c.id::text AS id, c.webhook_id::text AS webhook_id, c.attempts, c.subscription_id::text AS subscription_id,
              s.target_url, t.secret_enc, e.body, e.received_at
       FROM claimed c
       JOIN events e ON e.id = c.event_id
       JOIN subscriptions s ON s.id = c.subscription_id
       JOIN tenants t ON t.tenant_key = s.tenant_key`,
      [limit, this.options.leaseMs],
    );
    return rows.map((r) => ({
      id: r.id,
      webhookId: r.webhook_id,
      attempts: Number(r.attempts),
      subscriptionId: r.subscription_id,
      targetUrl: r.target_url,
      secretEnc: r.secret_enc,
      body: Buffer.from(r.body),
      receivedAt: r.received_at instanceof Date ? r.received_at : new Date(String(r.received_at)),
    }));
  }

  async markDelivered(id: string, status: number): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = 'delivered', last_status = $2, last_error = NULL, locked_until = NULL, finished_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  async markFailed(id: string, status: number | null, error: string): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = 'failed', last_status = $2, last_error = $3, locked_until = NULL, finished_at = now() WHERE id = $1`,
      [id, status, error],
    );
  }

  async scheduleRetry(id: string, status: number | null, error: string, delayMs: number): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET last_status = $2, last_error = $3, locked_until = NULL, next_attempt_at = now() + ${ms('$4')} WHERE id = $1`,
      [id, status, error, delayMs],
    );
  }

  /** Hands claims back (graceful shutdown): they are due again at once for any process. */
  async releaseClaims(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE deliveries SET locked_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [ids]);
  }

  async queueDepth(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Forgets expired dedupe keys, and finished events older than the retention. */
  async cleanup(retentionDays: number): Promise<void> {
    await this.db.query('DELETE FROM inbound_dedupe WHERE expires_at < now()');
    await this.db.query(
      `DELETE FROM events e WHERE e.received_at < now() - ($1::double precision * interval '1 day')
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`,
      [retentionDays],
    );
  }

  async setting(key: string, create: () => string): Promise<string> {
    await this.db.query('INSERT INTO hub_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM hub_settings WHERE key = $1', [key]);
    return rows[0]!.value;
  }
}
