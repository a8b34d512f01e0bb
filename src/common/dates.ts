/**
 * LearnWorlds sends times as epoch floats (seconds with microseconds), epoch integers, or ISO
 * strings with an offset. Zapier wants ISO 8601; these helpers turn all three into
 * `2021-11-18T11:40:26.533Z`.
 */
import { type JsonValue, isJsonObject } from '../../contract/json';
import { epochMs } from '../../contract/time';

/** Keys whose values are points in time wherever they appear in a payload. */
export const DATE_KEYS: ReadonlySet<string> = new Set([
  'created',
  'modified',
  'last_login',
  'completed_at',
  'date',
  'issued',
  'paid_at',
  'refund_at',
  'created_at',
  'cancelled_at',
  'expires_at',
  'updated_at',
  'user_registered_at',
]);

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
/** The largest time a JavaScript Date can hold (±8.64e15 ms from the epoch). */
const MAX_DATE_MS = 8.64e15;

/** ISO string for an epoch in seconds (or milliseconds); undefined when no Date can hold it. */
export function epochToIso(epoch: number): string | undefined {
  const ms = epochMs(epoch);
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return undefined;
  return new Date(ms).toISOString();
}

/** ISO string for a time value; anything that is not a recognisable time is returned as is. */
export function toIsoDate<T>(value: T): T | string {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return epochToIso(value) ?? value;
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  return value;
}

/**
 * Converts time values under DATE_KEYS to ISO strings, in place (a delivery's parsed body is
 * ours to reshape; copying it would double the cost). Custom sign-up fields (`fields`) are left
 * alone: their "dates" are the school's own text. Iterative, with an explicit stack, so a body
 * nested thousands of levels deep cannot overflow the call stack.
 */
export function convertDatesInPlace(value: JsonValue): JsonValue {
  const pending: JsonValue[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) {
      for (const inner of next) if (typeof inner === 'object' && inner !== null) pending.push(inner);
    } else if (isJsonObject(next)) {
      for (const key in next) {
        if (key === 'fields') continue;
        const inner = next[key];
        if (DATE_KEYS.has(key)) next[key] = toIsoDate(inner);
        else if (typeof inner === 'object' && inner !== null) pending.push(inner);
      }
    }
  }
  return value;
}
