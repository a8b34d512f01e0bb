/**
 * How long to leave a Zap alone after it answered 429, per target URL, in this process: its
 * Retry-After when it sends one; otherwise a delay that doubles from 1 s up to 60 s while the
 * 429s go on and is forgotten when the target accepts a delivery. Each delay is spread by up to
 * half again, so the deliveries of a burst do not all come back at the same instant.
 */
const MIN_MS = 1000;
const MAX_MS = 60_000;
const MAX_TARGETS = 10_000;

export class TargetBackoff {
  private readonly delays = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The wait before the next attempt to `target`, after a 429. */
  throttled(target: string, retryAfterMs: number | undefined): number {
    const base = retryAfterMs ?? Math.min(MAX_MS, (this.delays.get(target) ?? MIN_MS / 2) * 2);
    this.delays.delete(target); // re-inserted last: the oldest entries go first when full
    if (this.delays.size >= MAX_TARGETS) this.delays.delete(this.delays.keys().next().value ?? '');
    this.delays.set(target, Math.max(MIN_MS, base));
    return Math.round(Math.max(250, base) * (1 + this.random() / 2));
  }

  /** The target accepted a delivery: its next 429 starts from 1 s again. */
  accepted(target: string): void {
    this.delays.delete(target);
  }
}
