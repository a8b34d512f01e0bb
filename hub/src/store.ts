/** Every query the hub runs: tenants, subscriptions, inbound events, and the delivery outbox. */
import { createHash } from 'node:crypto';
import { type EventFacts, type RecentEvent, eventFactsFrom, eventFactsJson } from '../../contract';
import type { Database, Queryable } from './db/database';
import { isDatabaseUnavailable } from './db/health';
import { type InboundEvent, type SubjectState, planInbound, stateKey, subjectOf } from './inbound/inbound-plan';
import { MicroBatcher } from './db/micro-batcher';
import { MAX_ADAPTIVE_PAUSE_MS, MIN_SLOW_FACTOR, type PacingPolicy, RECOVER_MS, burstOf, rateShareSql } from './queue/pacing';

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
  /** The claim's fencing token: an outcome is written only while the row still has this count. */
  attempts: number;
  tenantKey: string;
  /** `attempts` when the current round of retries began (0, or the count at the last replay). */
  roundStart: number;
  /** Local clock: the claim is ours until then (taken before the claim was asked for). */
  leaseExpiresAt: number;
  subscriptionId: string;
  targetUrl: string;
  secretEnc: string;
  body: Buffer;
  receivedAt: Date;
  /** The hub's id of the event, and what it worked out when it accepted it (sent with the delivery). */
  eventId: string;
  facts: EventFacts;
  /** How long until the claim's target may send again (its pacing). */
  targetReadyInMs: number;
}

export interface InboundItem extends InboundEvent {
  body: Buffer;
}

export type SubscriptionResult = { kind: 'created'; subscription: Subscription } | { kind: 'limit'; limit: number };

export interface InboundResult {
  /** null when the body was a LearnWorlds retry (the user's last event again, within the window). */
  eventId: string | null;
  deliveries: number;
}

/**
 * The channel on which processes announce new schools to each other (PostgreSQL). NOTIFY is
 * database-wide: hubs in other schemas of the same database (other deployments, or parallel
 * tests) must not hear this one's schools, so the name carries a digest of the schema.
 */
const TENANTS_CHANNEL_SQL = `'hub_tenants_' || left(md5(current_schema()), 16)`;

const ms = (param: string) => `(${param}::double precision * interval '1 millisecond')`;

/** Milliseconds between two sends to a target now ($6: the full rate per second; $10: RECOVER_MS). */
const INTERVAL_MS = (row: string) => `(1000.0 / ($6::double precision * ${rateShareSql(row, '$10')}))`;

function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function iso(value: unknown): string {
  return asDate(value).toISOString();
}

/** One advisory lock id per (school, subject), as signed 64-bit integers, distinct and sorted. */
function sortedLockIds(keys: ReadonlyArray<{ tenantKey: string; subject: string }>): string[] {
  const ids = new Set(keys.map((k) => createHash('sha256').update(stateKey(k.tenantKey, k.subject)).digest().readBigInt64BE(0)));
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

export class HubStore {
  private readonly inbound: MicroBatcher<InboundItem, InboundResult>;
  private readonly deliveredBatch: MicroBatcher<{ id: string; attempts: number; status: number }, boolean>;

  constructor(
    private readonly db: Database,
    private readonly options: { dedupeWindowHours: number; leaseMs: number; pacing: PacingPolicy; onBatchFailure?: (error: unknown, size: number) => void },
  ) {
    // PostgreSQL runs several batches at once over the pool; PGlite runs one statement at a time.
    const parallel = db.kind === 'postgres' ? 4 : 1;
    this.inbound = new MicroBatcher(
      (items) => this.acceptInbound(items),
      256,
      parallel,
      options.onBatchFailure,
      (error) => !isDatabaseUnavailable(error),
    );
    this.deliveredBatch = new MicroBatcher(
      (items) => this.markDelivered(items),
      256,
      parallel,
      options.onBatchFailure,
      (error) => !isDatabaseUnavailable(error),
    );
  }

  /** One verified delivery, stored (batched with concurrent ones) before the promise settles. */
  accept(item: InboundItem): Promise<InboundResult> {
    return this.inbound.submit(item);
  }

  /**
   * One successful delivery, recorded (batched with concurrent ones) if the claim is still ours;
   * false when another process owns the row now (the outcome is not applied).
   */
  delivered(id: string, attempts: number, status: number): Promise<boolean> {
    return this.deliveredBatch.submit({ id, attempts, status });
  }

  /** Stores a school and tells every other process of this schema (NOTIFY on tenantsChannel()) that it exists. */
  async upsertTenant(tenantKey: string, secretEnc: string, schoolUrl: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO tenants (tenant_key, secret_enc, school_url) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_key) DO UPDATE SET school_url = EXCLUDED.school_url`,
        [tenantKey, secretEnc, schoolUrl],
      );
      await tx.query(`SELECT pg_notify(${TENANTS_CHANNEL_SQL}, $1)`, [tenantKey]);
    });
  }

  /** The channel new schools of this schema are announced on. */
  async tenantsChannel(): Promise<string> {
    const { rows } = await this.db.query<{ channel: string }>(`SELECT ${TENANTS_CHANNEL_SQL} AS channel`);
    return rows[0].channel;
  }

  /** Every school's tenant key (a small set: one per school), for the in-memory check. */
  async tenantKeys(): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant_key: string }>('SELECT tenant_key FROM tenants');
    return rows.map((r) => r.tenant_key);
  }

  /**
   * Idempotent: the same tenant, event and target get the same subscription (filters updated).
   * A school may hold at most `limit` subscriptions; the school's row is locked meanwhile, so
   * concurrent calls cannot overshoot.
   */
  async createSubscription(
    input: { tenantKey: string; event: string; targetUrl: string; filters: Record<string, string> },
    limit: number,
  ): Promise<SubscriptionResult> {
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
      await tx.query(
        `WITH t AS (
           INSERT INTO target_pace (target_url) VALUES ($1) ON CONFLICT (target_url) DO UPDATE SET target_url = EXCLUDED.target_url
           RETURNING account
         )
         INSERT INTO account_pace (account) SELECT account FROM t ON CONFLICT (account) DO NOTHING`,
        [input.targetUrl],
      );
      const row = rows[0];
      return { kind: 'created', subscription: { ...row, created_at: iso(row.created_at) } };
    });
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
   * Stores verified deliveries and their fan-out rows, one transaction per batch. Each user's
   * events are taken in commit order: the users' rows are locked (advisory locks, in one sorted
   * order, so batches in other processes wait instead of deadlocking), their state read, the batch
   * planned (inbound-plan.ts: retries, tag changes, new users, filter facts) and everything written
   * in one statement. Results are in input order.
   */
  private async acceptInbound(items: InboundItem[]): Promise<InboundResult[]> {
    const subjects = new Map<string, { tenantKey: string; subject: string }>();
    for (const item of items) {
      const subject = subjectOf(item);
      subjects.set(stateKey(item.tenantKey, subject), { tenantKey: item.tenantKey, subject });
    }
    const keys = [...subjects.values()];
    // PostgreSQL: one transaction, the users' rows locked. PGlite has one connection and this
    // store runs one inbound batch at a time there (nothing else writes the users' state), and the
    // write is one atomic statement: no transaction, no locks, two statements instead of four.
    const run = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => (this.db.kind === 'postgres' ? this.db.transaction(fn) : fn(this.db));
    return run(async (tx) => {
      if (this.db.kind === 'postgres') {
        await tx.query(
          'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k OFFSET 0) AS sorted',
          [sortedLockIds(keys)],
          'hub_lock_subjects',
        );
      }
      const { rows: known } = await tx.query<{ tenant_key: string; subject: string; last_hash: string | null; tags: unknown; db_now: Date }>(
        `SELECT k.tenant_key, k.subject, l.body_hash AS last_hash, t.tags, now() AS db_now
         FROM unnest($1::text[], $2::text[]) AS k (tenant_key, subject)
         LEFT JOIN inbound_last l ON l.tenant_key = k.tenant_key AND l.subject = k.subject AND l.expires_at > now()
         LEFT JOIN user_tags t ON t.tenant_key = k.tenant_key AND t.user_id = k.subject AND k.subject <> ''`,
        [keys.map((k) => k.tenantKey), keys.map((k) => k.subject)],
        'hub_read_subjects',
      );
      const state = new Map<string, SubjectState>();
      for (const row of known) {
        const tags = Array.isArray(row.tags) ? row.tags.filter((t): t is string => typeof t === 'string') : undefined;
        state.set(stateKey(row.tenant_key, row.subject), { ...(row.last_hash ? { lastHash: row.last_hash } : {}), ...(tags ? { tags } : {}) });
      }
      const receivedAt = known[0] ? asDate(known[0].db_now) : new Date();
      const plan = planInbound(items, state, receivedAt.getTime());
      const fresh = items.flatMap((item, index) => {
        const planned = plan.events[index];
        return planned.duplicate ? [] : [{ item, index, facts: planned.facts, filterFacts: planned.filterFacts }];
      });
      const results: InboundResult[] = items.map(() => ({ eventId: null, deliveries: 0 }));
      if (fresh.length === 0) return results;
      const { rows } = await tx.query<{ ord: number; event_id: string; deliveries: number }>(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS i (tenant_key, body_hash, event_type, body_b64, facts, filter_facts, ord)
         ), ids AS (
           SELECT ord, nextval('events_id_seq') AS id FROM input
         ), ev AS (
           INSERT INTO events (id, tenant_key, event_type, body, body_hash, facts, received_at)
           SELECT ids.id, i.tenant_key, i.event_type, decode(i.body_b64, 'base64'), i.body_hash, i.facts::jsonb, now()
           FROM input i JOIN ids ON ids.ord = i.ord
           RETURNING id
         ), fan AS (
           INSERT INTO deliveries (event_id, subscription_id, tenant_key)
           SELECT ids.id, s.id, i.tenant_key FROM input i JOIN ids ON ids.ord = i.ord
           JOIN subscriptions s ON s.tenant_key = i.tenant_key AND (s.event = i.event_type OR s.event = '*')
           -- A Zap's filters decide (contract/filters.ts): each chosen value, trimmed and lowercased,
           -- must be among the event's facts for that filter.
           WHERE NOT EXISTS (
             SELECT 1 FROM jsonb_each_text(s.filters) f
             WHERE NOT coalesce((i.filter_facts::jsonb -> f.key) ? lower(btrim(f.value)), false)
           )
           RETURNING event_id
         ), last AS (
           INSERT INTO inbound_last (tenant_key, subject, body_hash, expires_at)
           SELECT tenant_key, subject, body_hash, now() + ($9::double precision * interval '1 hour')
           FROM unnest($7::text[], $8::text[], $10::text[]) AS l (tenant_key, subject, body_hash)
           ON CONFLICT (tenant_key, subject) DO UPDATE SET body_hash = EXCLUDED.body_hash, expires_at = EXCLUDED.expires_at
         ), tags AS (
           INSERT INTO user_tags (tenant_key, user_id, tags)
           SELECT tenant_key, user_id, tags::jsonb FROM unnest($11::text[], $12::text[], $13::text[]) AS t (tenant_key, user_id, tags)
           ON CONFLICT (tenant_key, user_id) DO UPDATE SET tags = EXCLUDED.tags, updated_at = now()
         )
         SELECT ids.ord::int AS ord, ids.id::text AS event_id,
                (SELECT count(*) FROM fan WHERE fan.event_id = ids.id)::int AS deliveries
         FROM ids ORDER BY ids.ord`,
        [
          fresh.map((f) => f.item.tenantKey),
          fresh.map((f) => f.item.bodyHash),
          fresh.map((f) => f.item.eventType),
          fresh.map((f) => f.item.body.toString('base64')),
          fresh.map((f) => JSON.stringify(eventFactsJson(f.facts))),
          fresh.map((f) => JSON.stringify(f.filterFacts)),
          plan.lastHashes.map((l) => l.tenantKey),
          plan.lastHashes.map((l) => l.subject),
          this.options.dedupeWindowHours,
          plan.lastHashes.map((l) => l.bodyHash),
          plan.tags.map((t) => t.tenantKey),
          plan.tags.map((t) => t.userId),
          plan.tags.map((t) => JSON.stringify(t.tags)),
        ],
        'hub_accept_inbound',
      );
      for (const row of rows) results[fresh[Number(row.ord) - 1].index] = { eventId: row.event_id, deliveries: Number(row.deliveries) };
      return results;
    });
  }

  /**
   * Claims up to `limit` due deliveries for this process (FOR UPDATE SKIP LOCKED + a lease),
   * paced (queue/pacing.ts): each target URL only as many as its rate allows now, each account
   * as many as its window has left, each school at most `tenantCap` in flight counting `busy`
   * (this process's sends still running, by tenant key). Fair across targets: every ready
   * target's oldest due delivery comes before any target's second. The pacing rows of the
   * chosen targets and accounts are locked and advanced in the same statement, so processes
   * claiming at the same time skip each other's targets instead of sending twice the rate.
   * Each claim carries when its target may send again (`targetReadyInMs`).
   */
  async claimDue(limit: number, tenantCap: number, busy: ReadonlyMap<string, number>): Promise<ClaimedDelivery[]> {
    const leaseExpiresAt = Date.now() + this.options.leaseMs;
    const { targetRatePerSecond, accountLimit, accountWindowMs } = this.options.pacing;
    const { rows } = await this.db.query<{
      id: string;
      webhook_id: string;
      attempts: number;
      round_start: number;
      tenant_key: string;
      subscription_id: string;
      target_url: string;
      secret_enc: string;
      body: Uint8Array;
      received_at: Date;
      event_id: string;
      facts: unknown;
      ready_in_ms: number;
    }>(
      `WITH clock AS (
         SELECT extract(epoch from now()) * 1000 AS now_ms
       ), busy AS (
         SELECT * FROM unnest($3::text[], $4::int[]) AS b (tenant_key, n)
       ), cand AS (
         -- Up to a burst of due deliveries per subscription whose target may send now (read unlocked).
         SELECT x.id, x.next_attempt_at, s.tenant_key, s.target_url
         FROM subscriptions s
         JOIN target_pace p ON p.target_url = s.target_url
         CROSS JOIN clock
         CROSS JOIN LATERAL (
           SELECT d.id, d.next_attempt_at FROM deliveries d
           WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
             AND (d.locked_until IS NULL OR d.locked_until < now())
           ORDER BY d.next_attempt_at, d.id
           LIMIT $7
         ) x
         WHERE coalesce(p.paused_until, '-infinity') <= now() AND p.tat_ms <= clock.now_ms + ($7 - 1) * ${INTERVAL_MS('p')}
       ), chosen AS (
         -- At most one target per free slot: those whose oldest due delivery is oldest.
         SELECT target_url FROM cand GROUP BY target_url ORDER BY min(next_attempt_at), target_url LIMIT $1
       ), locked_targets AS (
         -- Their pacing rows, locked and read fresh (another process's claim may have just advanced them).
         SELECT t.target_url, t.account, t.tat_ms, ${INTERVAL_MS('t')} AS interval_ms
         FROM target_pace t
         WHERE t.target_url IN (SELECT target_url FROM chosen) AND coalesce(t.paused_until, '-infinity') <= now()
         FOR UPDATE SKIP LOCKED
       ), target_room AS (
         SELECT lt.target_url, lt.account, lt.interval_ms, greatest(lt.tat_ms, clock.now_ms) AS start_ms,
                CASE WHEN greatest(lt.tat_ms, clock.now_ms) <= clock.now_ms + ($7 - 1) * lt.interval_ms
                  THEN floor((clock.now_ms + ($7 - 1) * lt.interval_ms - greatest(lt.tat_ms, clock.now_ms)) / lt.interval_ms)::int + 1
                  ELSE 0 END AS room
         FROM locked_targets lt CROSS JOIN clock
       ), locked_accounts AS (
         SELECT a.account, a.window_start_ms, a.current_n, a.previous_n FROM account_pace a
         WHERE a.account IN (SELECT account FROM target_room WHERE room > 0)
         FOR UPDATE SKIP LOCKED
       ), account_room AS (
         -- The window rolled forward to now; what is left of the limit, the previous window weighted by its overlap.
         SELECT la.account, r.start_ms, r.prev, r.cur,
                greatest(0, $8::int - ceil(r.prev * (1 - (clock.now_ms - r.start_ms) / $9::double precision) + r.cur))::int AS room
         FROM locked_accounts la
         CROSS JOIN clock
         CROSS JOIN LATERAL (SELECT floor((clock.now_ms - la.window_start_ms) / $9::double precision) AS k) w
         CROSS JOIN LATERAL (
           SELECT la.window_start_ms + w.k * $9::double precision AS start_ms,
                  CASE WHEN w.k = 0 THEN la.previous_n WHEN w.k = 1 THEN la.current_n ELSE 0 END AS prev,
                  CASE WHEN w.k = 0 THEN la.current_n ELSE 0 END AS cur
         ) r
       ), by_target AS (
         SELECT c.*, tr.account, tr.room AS target_room,
                row_number() OVER (PARTITION BY c.target_url ORDER BY c.next_attempt_at, c.id) AS in_target
         FROM cand c JOIN target_room tr ON tr.target_url = c.target_url
       ), by_account AS (
         SELECT b.*, ar.room AS account_room,
                row_number() OVER (PARTITION BY b.account ORDER BY b.in_target, b.next_attempt_at, b.id) AS in_account
         FROM by_target b JOIN account_room ar ON ar.account = b.account
         WHERE b.in_target <= b.target_room
       ), by_tenant AS (
         SELECT b.*, row_number() OVER (PARTITION BY b.tenant_key ORDER BY b.in_target, b.next_attempt_at, b.id) AS in_tenant
         FROM by_account b WHERE b.in_account <= b.account_room
       ), picked AS (
         SELECT b.id FROM by_tenant b LEFT JOIN busy ON busy.tenant_key = b.tenant_key
         WHERE b.in_tenant <= $5::int - coalesce(busy.n, 0)
         ORDER BY b.in_target, b.next_attempt_at, b.id
         LIMIT $1
       ), due AS (
         SELECT d.id FROM deliveries d
         WHERE d.id IN (SELECT id FROM picked) AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE deliveries d SET locked_until = now() + ${ms('$2')}, attempts = d.attempts + 1
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.webhook_id, d.attempts, d.round_start, d.tenant_key, d.event_id, d.subscription_id
       ), sent AS (
         SELECT s.target_url, count(*) AS n FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id GROUP BY s.target_url
       ), paced AS (
         UPDATE target_pace t SET tat_ms = tr.start_ms + sent.n * tr.interval_ms
         FROM sent JOIN target_room tr ON tr.target_url = sent.target_url
         WHERE t.target_url = sent.target_url
         RETURNING t.target_url, t.tat_ms - ($7 - 1) * tr.interval_ms AS ready_at_ms
       ), counted AS (
         UPDATE account_pace a SET window_start_ms = ar.start_ms, previous_n = ar.prev, current_n = ar.cur + m.n
         FROM (SELECT tr.account, sum(sent.n)::int AS n FROM sent JOIN target_room tr ON tr.target_url = sent.target_url GROUP BY tr.account) m
         JOIN account_room ar ON ar.account = m.account
         WHERE a.account = m.account
       )
       SELECT c.id::text AS id, c.webhook_id::text AS webhook_id, c.attempts, c.round_start, c.tenant_key, c.subscription_id::text AS subscription_id,
              s.target_url, t.secret_enc, e.body, e.received_at, e.id::text AS event_id, e.facts,
              greatest(0, paced.ready_at_ms - clock.now_ms)::double precision AS ready_in_ms
       FROM claimed c
       JOIN events e ON e.id = c.event_id
       JOIN subscriptions s ON s.id = c.subscription_id
       JOIN tenants t ON t.tenant_key = s.tenant_key
       JOIN paced ON paced.target_url = s.target_url
       CROSS JOIN clock`,
      [
        limit,
        this.options.leaseMs,
        [...busy.keys()],
        [...busy.values()],
        tenantCap,
        targetRatePerSecond,
        burstOf(targetRatePerSecond),
        accountLimit,
        accountWindowMs,
        RECOVER_MS,
      ],
      'hub_claim_due',
    );
    return rows.map((r) => ({
      id: r.id,
      webhookId: r.webhook_id,
      attempts: Number(r.attempts),
      tenantKey: r.tenant_key,
      roundStart: Number(r.round_start),
      leaseExpiresAt,
      subscriptionId: r.subscription_id,
      targetUrl: r.target_url,
      secretEnc: r.secret_enc,
      body: Buffer.from(r.body),
      receivedAt: asDate(r.received_at),
      eventId: r.event_id,
      facts: eventFactsFrom(r.facts),
      targetReadyInMs: Number(r.ready_in_ms),
    }));
  }

  /**
   * Gives claims back unsent (a worker stopping with claims it had not started): free to claim
   * again at once, and the claim spends no attempt (the round starts one later). Fenced like an outcome.
   */
  async releaseClaims(claims: ReadonlyArray<{ id: string; attempts: number }>): Promise<void> {
    await this.db.query(
      `UPDATE deliveries d SET locked_until = NULL, round_start = d.round_start + 1
       FROM unnest($1::bigint[], $2::int[]) AS x (id, attempts)
       WHERE d.id = x.id AND d.attempts = x.attempts AND d.status = 'pending'`,
      [claims.map((c) => c.id), claims.map((c) => c.attempts)],
    );
  }

  /**
   * Records successful deliveries, many per statement, each with its attempt row; fenced: a row
   * is only updated while it is still pending with the claim's attempt count (else another
   * process owns it now).
   */
  private async markDelivered(outcomes: Array<{ id: string; attempts: number; status: number }>): Promise<boolean[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `WITH x AS (
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[]) AS x (id, attempts, status)
       ), done AS (
         UPDATE deliveries d SET status = 'delivered', last_status = x.status, last_error = NULL, locked_until = NULL, finished_at = now()
         FROM x WHERE d.id = x.id AND d.status = 'pending' AND d.attempts = x.attempts
         RETURNING d.id, d.attempts, x.status
       ), logged AS (
         INSERT INTO delivery_attempts (delivery_id, attempt, status, outcome)
         SELECT id, attempts, status, 'delivered' FROM done ON CONFLICT DO NOTHING
       )
       SELECT id::text AS id FROM done`,
      [outcomes.map((o) => o.id), outcomes.map((o) => o.attempts), outcomes.map((o) => o.status)],
      'hub_mark_delivered',
    );
    const applied = new Set(rows.map((r) => r.id));
    return outcomes.map((o) => applied.has(o.id));
  }

  /**
   * Records a failed attempt, if the claim (`attempts`) is still ours (false when it is not):
   * `retryInMs` schedules the next attempt; without it the delivery is given up.
   */
  async recordFailure(input: { id: string; attempts: number; status: number | null; error: string; retryInMs?: number }): Promise<boolean> {
    const retry = input.retryInMs !== undefined;
    const { rows } = await this.db.query<{ id: string }>(
      `WITH changed AS (
         UPDATE deliveries SET last_status = $3, last_error = $4, locked_until = NULL, throttled_since = NULL,
           status = CASE WHEN $5::boolean THEN 'pending' ELSE 'failed' END,
           next_attempt_at = CASE WHEN $5::boolean THEN now() + ${ms('$6')} ELSE next_attempt_at END,
           finished_at = CASE WHEN $5::boolean THEN NULL ELSE now() END
         WHERE id = $1 AND status = 'pending' AND attempts = $2
         RETURNING id
       ), logged AS (
         INSERT INTO delivery_attempts (delivery_id, attempt, status, error, outcome)
         SELECT id, $2, $3, $4, CASE WHEN $5::boolean THEN 'retry' ELSE 'failed' END FROM changed ON CONFLICT DO NOTHING
       )
       SELECT id::text AS id FROM changed`,
      [input.id, input.attempts, input.status, input.error, retry, input.retryInMs ?? 0],
      'hub_record_failure',
    );
    return rows.length > 0;
  }

  /**
   * Records a 429, if the claim is still ours: back-pressure, not failure. The attempt does not
   * count against the retry budget (the round starts one later). The target pauses, for every
   * process (claims skip it): for `retryAfterMs` when the Zap said so; otherwise its rate is
   * halved and it pauses 1 s / the new share (queue/pacing.ts), unless a pause already runs
   * (429s of sends that were in flight when it began do not halve it again). The delivery is
   * due again when the pause ends. One refused with 429 since more than `maxThrottleMs` ago is
   * given up instead. Answers the outcome and the pause, or 'fenced' (the claim was lost).
   */
  async recordThrottled(input: {
    id: string;
    attempts: number;
    retryAfterMs: number | undefined;
    maxThrottleMs: number;
  }): Promise<{ result: 'throttled' | 'gave_up'; pauseMs: number } | { result: 'fenced' }> {
    const { rows } = await this.db.query<{ status: string; pause_ms: number }>(
      `WITH claim AS (
         -- Whether the Zap may still be waited for: refused with 429 for less than maxThrottleMs.
         SELECT d.id, d.subscription_id, COALESCE(d.throttled_since, now()) > now() - ${ms('$4')} AS waiting FROM deliveries d
         WHERE d.id = $1 AND d.status = 'pending' AND d.attempts = $2
       ), target AS (
         -- Slowed only without a Retry-After, and only once per pause.
         SELECT t.target_url, t.paused_until,
                $3::double precision IS NULL AND NOT coalesce(t.paused_until > now(), false) AS slows,
                greatest($6::double precision, ${rateShareSql('t', '$5')} / 2) AS halved
         FROM claim c JOIN subscriptions s ON s.id = c.subscription_id JOIN target_pace t ON t.target_url = s.target_url
       ), plan AS (
         SELECT target_url, slows, halved,
                CASE WHEN $3::double precision IS NOT NULL THEN greatest(paused_until, now() + ${ms('$3')})
                     WHEN slows THEN now() + least($7::double precision, 1000 / halved) * interval '1 millisecond'
                     ELSE paused_until END AS until
         FROM target
       ), pause AS (
         UPDATE target_pace t SET paused_until = plan.until,
           slow_factor = CASE WHEN plan.slows THEN plan.halved ELSE t.slow_factor END,
           slowed_at = CASE WHEN plan.slows THEN now() ELSE t.slowed_at END
         FROM plan WHERE t.target_url = plan.target_url
       ), changed AS (
         UPDATE deliveries d SET last_status = 429, locked_until = NULL,
           next_attempt_at = coalesce((SELECT until FROM plan), now() + interval '1 second'),
           throttled_since = COALESCE(d.throttled_since, now()),
           status = CASE WHEN c.waiting THEN 'pending' ELSE 'failed' END,
           round_start = CASE WHEN c.waiting THEN d.round_start + 1 ELSE d.round_start END,
           finished_at = CASE WHEN c.waiting THEN NULL ELSE now() END,
           last_error = CASE WHEN c.waiting THEN 'HTTP 429: throttled, will retry' ELSE 'HTTP 429: refused for longer than HUB_MAX_THROTTLE_HOURS; gave up' END
         FROM claim c
         WHERE d.id = c.id AND d.status = 'pending' AND d.attempts = $2
         RETURNING d.id, d.status, d.last_error, d.next_attempt_at
       ), logged AS (
         INSERT INTO delivery_attempts (delivery_id, attempt, status, error, outcome)
         SELECT id, $2, 429, last_error, CASE WHEN status = 'pending' THEN 'throttled' ELSE 'failed' END FROM changed ON CONFLICT DO NOTHING
       )
       SELECT status, greatest(0, extract(epoch from next_attempt_at - now()) * 1000)::double precision AS pause_ms FROM changed`,
      [input.id, input.attempts, input.retryAfterMs ?? null, input.maxThrottleMs, RECOVER_MS, MIN_SLOW_FACTOR, MAX_ADAPTIVE_PAUSE_MS],
      'hub_record_throttled',
    );
    if (rows.length === 0) return { result: 'fenced' };
    return { result: rows[0].status === 'pending' ? 'throttled' : 'gave_up', pauseMs: Math.round(Number(rows[0].pause_ms)) };
  }

  /** A school's most recent verified deliveries of one type (or '*': all), newest first. */
  async recentEvents(tenantKey: string, eventType: string, limit: number): Promise<RecentEvent[]> {
    const { rows } = await this.db.query<{ id: string; event_type: string; received_at: Date; body: Uint8Array; facts: unknown }>(
      `SELECT id::text AS id, event_type, received_at, body, facts FROM events
       WHERE tenant_key = $1 AND ($2 = '*' OR event_type = $2)
       ORDER BY received_at DESC, id DESC LIMIT $3`,
      [tenantKey, eventType, limit],
    );
    return rows.map((r) => {
      const receivedAt = iso(r.received_at);
      return {
        id: r.id,
        event_type: r.event_type,
        received_at: receivedAt,
        body: Buffer.from(r.body).toString('utf8'),
        facts: { event_id: r.id, received_at: receivedAt, ...eventFactsFrom(r.facts) },
      };
    });
  }

  async queueDepth(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Target URLs paused or slowed after a 429 now, and the deliveries waiting for them. */
  async throttledTargets(): Promise<{ targets: number; backlog: number }> {
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

  /** Every subscription's target has its pacing rows (they are made with the subscription; this repairs a gap). */
  async ensurePacing(): Promise<void> {
    // Two statements: the second must see the rows the first inserted.
    await this.db.query('INSERT INTO target_pace (target_url) SELECT DISTINCT target_url FROM subscriptions ON CONFLICT (target_url) DO NOTHING');
    await this.db.query('INSERT INTO account_pace (account) SELECT DISTINCT account FROM target_pace ON CONFLICT (account) DO NOTHING');
  }

  /** Forgets expired repeat keys, and finished events older than the retention (the users' tags are kept). */
  async cleanup(retentionDays: number): Promise<void> {
    await this.db.query('DELETE FROM inbound_last WHERE expires_at < now()');
    // Pacing rows of targets no subscription uses any more, once their pacing has run out.
    await this.db.query(
      `DELETE FROM target_pace p WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.target_url = p.target_url)
       AND p.tat_ms < extract(epoch from now()) * 1000 AND coalesce(p.paused_until, '-infinity') < now()`,
    );
    await this.db.query(
      `DELETE FROM account_pace a WHERE NOT EXISTS (SELECT 1 FROM target_pace p WHERE p.account = a.account)
       AND a.window_start_ms < extract(epoch from now()) * 1000 - 2 * $1::double precision`,
      [this.options.pacing.accountWindowMs],
    );
    await this.ensurePacing();
    await this.db.query(
      `DELETE FROM events e WHERE e.received_at < now() - ($1::double precision * interval '1 day')
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`,
      [retentionDays],
    );
  }

  async setting(key: string, create: () => string): Promise<string> {
    await this.db.query('INSERT INTO hub_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM hub_settings WHERE key = $1', [key]);
    return rows[0].value;
  }
}
