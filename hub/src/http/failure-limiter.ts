/**
 * Counts failed authentication attempts per client address in fixed one-minute windows. Past
 * the limit an address is answered 429 with Retry-After until its window ends. Memory is
 * bounded: expired windows are dropped, and past `maxAddresses` the oldest entries go first.
 */
const WINDOW_MS = 60_000;

export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly maxAddresses = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait when the address is over its limit, else undefined. */
  retryAfter(address: string): number | undefined {
    const window = this.windows.get(address);
    if (!window || window.failures < this.limit) return undefined;
    const left = window.start + WINDOW_MS - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return undefined;
    }
    return Math.ceil(left / 1000);
  }

  recordFailure(address: string): void {
    const now = this.now();
    const window = this.windows.get(address);
    if (window && now - window.start < WINDOW_MS) {
      window.failures += 1;
      return;
    }
    this.windows.delete(address);
    if (this.windows.size >= this.maxAddresses) this.prune(now);
    this.windows.set(address, { start: now, failures: 1 });
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(address);
    // Still full (a flood from many addresses): drop the oldest (Map keeps insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
