/**
 * How fast the hub sends, shaped to what Zapier accepts (each hook URL answers 429 above about
 * 30 requests/s; one Zapier user's hooks together above 10,000–20,000 per 5 minutes). The state
 * lives in the database (target_pace, account_pace), and claims lock the rows they send
 * through, so every process spends one budget:
 *
 * - Per target URL, a GCRA (a leaky bucket kept as the time the next send is due): sends are
 *   spread at `targetRatePerSecond`, with a burst of `burstOf(rate)` so that no one-second
 *   window sees more than rate + burst.
 * - Per account (the Zapier user of /hooks/standard/{user}/ and /hooks/catch/{user}/, else the
 *   target's host and port), a sliding window: at most `accountLimit` sends in any
 *   `accountWindowMs` (the previous window's count weighted by how much of it still overlaps).
 * - After a 429 with Retry-After, the target waits that long. Without one, its rate is halved
 *   (down to 1/64) and it waits 1 s / that share (at most 60 s); the rate then recovers linearly,
 *   to the full rate in RECOVER_MS. 429s answered while a pause lasts do not halve it again.
 */
export interface PacingPolicy {
  /** Sends per second to one target URL, from every process together. */
  targetRatePerSecond: number;
  /** Sends per account in any window of accountWindowMs. */
  accountLimit: number;
  accountWindowMs: number;
}

/** From half the rate back to the full rate in half this time. */
export const RECOVER_MS = 60_000;
/** The slowest a target is slowed to, as a share of its rate. */
export const MIN_SLOW_FACTOR = 1 / 64;
/** The longest pause after a 429 without Retry-After. */
export const MAX_ADAPTIVE_PAUSE_MS = 60_000;

/**
 * SQL for a target_pace row's share of its rate now (1 unless a 429 slowed it; recovering
 * linearly since), `recoverParam` being the statement's parameter that holds RECOVER_MS.
 */
export function rateShareSql(row: string, recoverParam: string): string {
  return `least(1, ${row}.slow_factor + coalesce(extract(epoch from now() - ${row}.slowed_at) * 1000 / ${recoverParam}::double precision, 1))`;
}

/** Sends allowed back to back to one target: an eighth of a second's worth, at least one. */
export function burstOf(ratePerSecond: number): number {
  return Math.max(1, Math.floor(ratePerSecond / 8));
}
