/** Points in time as LearnWorlds sends them: epoch seconds (float or integer), epoch milliseconds, or ISO strings. */

/** Epoch values above this are milliseconds (year 5138 in seconds). */
export const EPOCH_MS_THRESHOLD = 1e11;

/** Milliseconds since the epoch for an epoch in seconds or milliseconds (whole microseconds kept exact). */
export function epochMs(epoch: number): number {
  // Whole microseconds first, so 1637235626.53355 (stored as ...53354999) floors to .533.
  return epoch > EPOCH_MS_THRESHOLD ? Math.floor(epoch) : Math.floor(Math.round(epoch * 1e6) / 1e3);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** Milliseconds since the epoch of a LearnWorlds time value; undefined when it is not one. */
export function timeMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return epochMs(value);
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
