/**
 * Claiming due deliveries for this process: paced, fair across targets, capped per school, and
 * fenced by a lease and the attempt count; and giving unsent claims back.
 */
import { type EventFacts, eventFactsFrom } from '../../../contract';
import type { Database } from '../db/database';
import { asDate, ms } from '../db/sql';
import { type PacingPolicy, RECOVER_MS, burstOf, rateShareSql } from './pacing';

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

/** Milliseconds between two sends to a target now ($6: the full rate per second; $10: RECOVER_MS). */
const INTERVAL_MS = (row: string) => `(1000.0 / ($6::double precision * ${rateShareSql(row, '$10')}))`;

export class Claims {
  constructor(
    private readonly db: Database,
    private readonly options: { leaseMs: number; pacing: PacingPolicy },
  ) {}

  /**
   * Claims up to `limit` due deliveries for this process (FOR UPDATE SKIP LOCKED + a lease),
   * paced (queue/pacing.ts): each target URL only as many as its rate allows now, each account
   * as many as its window has left, each school at most `tenantCap` in flight counting `busy`
   * (this process's sends still running, by tenant key). Fair across targets: every ready
   * target's oldest due delivery comes before any target's second. The pacing rows of the
   * chosen targets and accounts are locked and advanced in the same statement, so processes
   * claiming at the same time skip each other's targets instead of sending twice the rate.
   * Each claim carries when its target may send again (`targetReadyInMs`). The rows to lock are
   * looked up by key (`= ANY (ARRAY(…))`), so the plan stays an index lookup whatever the
   * table statistics say (a join planned on stale statistics scanned the whole backlog).
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
      `WITH RECURSIVE clock AS (
         SELECT extract(epoch from now()) * 1000 AS now_ms
       ), busy AS (
         SELECT * FROM unnest($3::text[], $4::int[]) AS b (tenant_key, n)
       ), waiting AS (
         -- The subscriptions with a pending delivery, one probe each of the pending index (its full
         -- key in ORDER BY, so no other index is chosen), skipping from one to the next: Zaps with
         -- nothing waiting cost the claim nothing.
         (SELECT d.subscription_id AS id FROM deliveries d WHERE d.status = 'pending'
          ORDER BY d.subscription_id, d.next_attempt_at, d.id LIMIT 1)
         UNION ALL
         SELECT (SELECT d.subscription_id FROM deliveries d WHERE d.status = 'pending' AND d.subscription_id > w.id
                 ORDER BY d.subscription_id, d.next_attempt_at, d.id LIMIT 1)
         FROM waiting w WHERE w.id IS NOT NULL
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
         WHERE s.id = ANY (ARRAY(SELECT id FROM waiting WHERE id IS NOT NULL))
           AND coalesce(p.paused_until, '-infinity') <= now() AND p.tat_ms <= clock.now_ms + ($7 - 1) * ${INTERVAL_MS('p')}
       ), chosen AS (
         -- At most one target per free slot: those whose oldest due delivery is oldest.
         SELECT target_url FROM cand GROUP BY target_url ORDER BY min(next_attempt_at), target_url LIMIT $1
       ), locked_targets AS (
         -- Their pacing rows, locked and read fresh (another process's claim may have just advanced them).
         SELECT t.target_url, t.account, t.tat_ms, ${INTERVAL_MS('t')} AS interval_ms
         FROM target_pace t
         WHERE t.target_url = ANY (ARRAY(SELECT target_url FROM chosen)) AND coalesce(t.paused_until, '-infinity') <= now()
         FOR UPDATE SKIP LOCKED
       ), target_room AS (
         SELECT lt.target_url, lt.account, lt.interval_ms, greatest(lt.tat_ms, clock.now_ms) AS start_ms,
                CASE WHEN greatest(lt.tat_ms, clock.now_ms) <= clock.now_ms + ($7 - 1) * lt.interval_ms
                  THEN floor((clock.now_ms + ($7 - 1) * lt.interval_ms - greatest(lt.tat_ms, clock.now_ms)) / lt.interval_ms)::int + 1
                  ELSE 0 END AS room
         FROM locked_targets lt CROSS JOIN clock
       ), locked_accounts AS (
         SELECT a.account, a.window_start_ms, a.current_n, a.previous_n FROM account_pace a
         WHERE a.account = ANY (ARRAY(SELECT account FROM target_room WHERE room > 0))
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
         WHERE d.id = ANY (ARRAY(SELECT id FROM picked)) AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
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
       WHERE d.id = ANY ($1::bigint[]) AND d.id = x.id AND d.attempts = x.attempts AND d.status = 'pending'`,
      [claims.map((c) => c.id), claims.map((c) => c.attempts)],
    );
  }
}
