/**
 * The operator console's reads: schools, throttled targets, the delivery log, one delivery with
 * its body and attempts (replays are the queue's: queue/replays.ts). Schools are named by a short public id (the first 12 hex characters of
 * their tenant key); Zap target URLs, which are secrets themselves, only ever leave redacted.
 */
import { asText } from '../../../contract';
import type { Database } from '../db/database';
import { rateShareSql } from '../queue/pacing';
import type { DeliveryStatus } from '../queue/status';

/** `hooks.zapier.com/…a1b2c3/`: the host and a short tail, enough to tell Zaps apart. */
export function redactTarget(target: string): string {
  try {
    const url = new URL(target);
    const path = `${url.pathname}${url.search}`;
    return `${url.host}/…${path.slice(-7)}`;
  } catch {
    return '…';
  }
}

/** `hooks.zapier.com user …4567`: the host and the user id's last four characters. */
export function redactAccount(account: string): string {
  const [host, user] = account.split(' user ');
  return user === undefined ? host : `${host} user …${user.slice(-4)}`;
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(asText(value)).toISOString();
}

export interface TenantSummary {
  id: string;
  school_url: string;
  created_at: string | null;
  subscriptions: Array<{ id: string; event: string; target: string; filters: Record<string, string>; created_at: string | null }>;
  last_events: Record<string, string | null>;
  last_24h: Record<DeliveryStatus, number>;
}

export interface DeliveryRow {
  id: string;
  status: string;
  event_type: string;
  tenant: string;
  school_url: string;
  subscription_id: string;
  target: string;
  webhook_id: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  received_at: string | null;
  finished_at: string | null;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  tenant?: string;
  event?: string;
  before?: string;
  limit: number;
}

/** A delivery row as the database returns it: the full target, times as the driver gives them. */
type RawDelivery = Omit<DeliveryRow, 'target' | 'next_attempt_at' | 'received_at' | 'finished_at'> & {
  target_url: string;
  next_attempt_at: unknown;
  received_at: unknown;
  finished_at: unknown;
};

const DELIVERY_COLUMNS = `d.id::text AS id, d.status, e.event_type, substr(d.tenant_key, 1, 12) AS tenant, t.school_url,
  d.subscription_id::text AS subscription_id, s.target_url, d.webhook_id::text AS webhook_id, d.attempts, d.last_status,
  d.last_error, d.next_attempt_at, e.received_at, d.finished_at`;
const DELIVERY_JOINS = `FROM deliveries d JOIN events e ON e.id = d.event_id JOIN subscriptions s ON s.id = d.subscription_id
  JOIN tenants t ON t.tenant_key = d.tenant_key`;

function toRow(r: RawDelivery): DeliveryRow {
  return {
    id: r.id,
    status: r.status,
    event_type: r.event_type,
    tenant: r.tenant,
    school_url: r.school_url,
    subscription_id: r.subscription_id,
    target: redactTarget(r.target_url),
    webhook_id: r.webhook_id,
    attempts: Number(r.attempts),
    last_status: r.last_status === null ? null : Number(r.last_status),
    last_error: r.last_error,
    next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    received_at: iso(r.received_at),
    finished_at: iso(r.finished_at),
  };
}

/** A target URL that is paused, slowed or has deliveries waiting, as the console shows it. */
export interface TargetPacing {
  target: string;
  /** The account whose budget it shares (its Zapier user's, else its host), redacted like the target. */
  account: string;
  paused_until: string | null;
  /** Its rate now, as a share of HUB_TARGET_RATE_PER_SECOND (below 1 while it recovers from a 429). */
  rate_share: number;
  backlog: number;
  oldest_pending: string | null;
}

export class AdminStore {
  constructor(private readonly db: Database) {}

  async tenants(): Promise<TenantSummary[]> {
    const [tenants, subscriptions, lastEvents, recent] = await Promise.all([
      this.db.query<{ id: string; school_url: string; created_at: unknown }>(
        'SELECT substr(tenant_key, 1, 12) AS id, school_url, created_at FROM tenants ORDER BY school_url, tenant_key',
      ),
      this.db.query<{ tenant: string; id: string; event: string; target_url: string; filters: Record<string, string>; created_at: unknown }>(
        'SELECT substr(tenant_key, 1, 12) AS tenant, id::text AS id, event, target_url, filters, created_at FROM subscriptions ORDER BY created_at',
      ),
      this.db.query<{ tenant: string; event_type: string; last: unknown }>(
        'SELECT substr(tenant_key, 1, 12) AS tenant, event_type, max(received_at) AS last FROM events GROUP BY tenant_key, event_type',
      ),
      this.db.query<{ tenant: string; status: DeliveryStatus; n: number }>(
        `SELECT substr(d.tenant_key, 1, 12) AS tenant, d.status, count(*)::int AS n FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE e.received_at > now() - interval '24 hours' GROUP BY d.tenant_key, d.status`,
      ),
    ]);
    const byId = new Map<string, TenantSummary>();
    for (const t of tenants.rows) {
      byId.set(t.id, {
        id: t.id,
        school_url: t.school_url,
        created_at: iso(t.created_at),
        subscriptions: [],
        last_events: {},
        last_24h: { pending: 0, delivered: 0, failed: 0 },
      });
    }
    for (const s of subscriptions.rows) {
      byId
        .get(s.tenant)
        ?.subscriptions.push({ id: s.id, event: s.event, target: redactTarget(s.target_url), filters: s.filters, created_at: iso(s.created_at) });
    }
    for (const e of lastEvents.rows) {
      const tenant = byId.get(e.tenant);
      if (tenant) tenant.last_events[e.event_type] = iso(e.last);
    }
    for (const r of recent.rows) {
      const tenant = byId.get(r.tenant);
      if (tenant) tenant.last_24h[r.status] = Number(r.n);
    }
    return [...byId.values()];
  }

  /** Targets paused or slowed after a 429, or with deliveries waiting: the largest backlog first, at most 100. */
  async targets(recoverMs: number): Promise<TargetPacing[]> {
    const { rows } = await this.db.query<{ target_url: string; account: string; paused_until: unknown; share: number; backlog: number; oldest: unknown }>(
      `SELECT p.target_url, p.account, CASE WHEN p.paused_until > now() THEN p.paused_until END AS paused_until,
              ${rateShareSql('p', '$1')} AS share,
              count(d.id)::int AS backlog, min(e.received_at) AS oldest
       FROM target_pace p
       JOIN subscriptions s ON s.target_url = p.target_url
       LEFT JOIN deliveries d ON d.subscription_id = s.id AND d.status = 'pending'
       LEFT JOIN events e ON e.id = d.event_id
       GROUP BY p.target_url, p.account, p.paused_until, p.slow_factor, p.slowed_at
       HAVING count(d.id) > 0 OR p.paused_until > now() OR ${rateShareSql('p', '$1')} < 1
       ORDER BY count(d.id) DESC, p.target_url
       LIMIT 100`,
      [recoverMs],
    );
    return rows.map((r) => ({
      target: redactTarget(r.target_url),
      account: redactAccount(r.account),
      paused_until: iso(r.paused_until),
      rate_share: Math.round(Number(r.share) * 1000) / 1000,
      backlog: Number(r.backlog),
      oldest_pending: iso(r.oldest),
    }));
  }

  /** Newest first; `before` is the last id of the previous page. */
  async deliveries(filter: DeliveryFilter): Promise<DeliveryRow[]> {
    const { rows } = await this.db.query<RawDelivery>(
      `SELECT ${DELIVERY_COLUMNS} ${DELIVERY_JOINS}
       WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR substr(d.tenant_key, 1, 12) = $2)
         AND ($3::text IS NULL OR e.event_type = $3) AND ($4::bigint IS NULL OR d.id < $4)
       ORDER BY d.id DESC LIMIT $5`,
      [filter.status ?? null, filter.tenant ?? null, filter.event ?? null, filter.before ?? null, filter.limit],
    );
    return rows.map(toRow);
  }

  async delivery(id: string): Promise<(DeliveryRow & { body: unknown; attempt_history: Array<Record<string, unknown>> }) | undefined> {
    const { rows } = await this.db.query<RawDelivery & { body: Uint8Array }>(`SELECT ${DELIVERY_COLUMNS}, e.body ${DELIVERY_JOINS} WHERE d.id = $1`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    const { rows: attempts } = await this.db.query<{ attempt: number; at: unknown; status: number | null; error: string | null; outcome: string }>(
      'SELECT attempt, at, status, error, outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
      [id],
    );
    const text = Buffer.from(row.body).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // shown as the text it is
    }
    return {
      ...toRow(row),
      body,
      attempt_history: attempts.map((a) => ({
        attempt: Number(a.attempt),
        at: iso(a.at),
        status: a.status === null ? null : Number(a.status),
        error: a.error,
        outcome: a.outcome,
      })),
    };
  }
}
