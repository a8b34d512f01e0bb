/**
 * What a send's answer does to its delivery: delivered, retried later, given up, or (a 429)
 * paused with its target. Every write is fenced by the claim's attempt count: a process that lost
 * its claim cannot overwrite the outcome of the one that owns it now.
 */
import type { Database } from '../db/database';
import { type MicroBatcher, statementBatcher } from '../db/micro-batcher';
import { ms } from '../db/sql';
import { MAX_ADAPTIVE_PAUSE_MS, MIN_SLOW_FACTOR, RECOVER_MS, rateShareSql } from './pacing';

export class Outcomes {
  private readonly deliveredBatch: MicroBatcher<{ id: string; attempts: number; status: number }, boolean>;

  constructor(
    private readonly db: Database,
    options: { onBatchFailure?: (error: unknown, size: number) => void } = {},
  ) {
    this.deliveredBatch = statementBatcher(db, (items) => this.markDelivered(items), { onBatchFailure: options.onBatchFailure });
  }

  /**
   * One successful delivery, recorded (batched with concurrent ones) if the claim is still ours;
   * false when another process owns the row now (the outcome is not applied).
   */
  delivered(id: string, attempts: number, status: number): Promise<boolean> {
    return this.deliveredBatch.submit({ id, attempts, status });
  }

  /**
   * Records successful deliveries, many per statement, each with its attempt row; fenced: a row
   * is only updated while it is still pending with the claim's attempt count (else another
   * process owns it now). The rows are looked up by key (`= ANY`), whatever the statistics say.
   */
  private async markDelivered(outcomes: Array<{ id: string; attempts: number; status: number }>): Promise<boolean[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `WITH x AS (
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[]) AS x (id, attempts, status)
       ), done AS (
         UPDATE deliveries d SET status = 'delivered', last_status = x.status, last_error = NULL, locked_until = NULL, finished_at = now()
         FROM x WHERE d.id = ANY ($1::bigint[]) AND d.id = x.id AND d.status = 'pending' AND d.attempts = x.attempts
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
}
