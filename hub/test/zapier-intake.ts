/**
 * A stand-in for Zapier's hook intake, scaled down: each route (path) answers 429 once it has
 * had `perSecond` requests in the last second (sliding, counting refused ones too), with a
 * Retry-After when one is given; otherwise 200. Counts what it accepted and refused per route.
 */
import type { ReceivedRequest, Responder } from './receiver';

export class ZapierIntake {
  private readonly recent = new Map<string, number[]>();
  private readonly accepted = new Map<string, string[]>();
  private refusedCount = 0;
  private acceptedCount = 0;

  constructor(
    private readonly perSecond: number,
    private readonly retryAfterSeconds?: number,
  ) {}

  readonly responder: Responder = (request: ReceivedRequest) => {
    const window = (this.recent.get(request.path) ?? []).filter((at) => at > request.receivedAt - 1000);
    window.push(request.receivedAt);
    this.recent.set(request.path, window);
    if (window.length > this.perSecond) {
      this.refusedCount += 1;
      const headers: Record<string, string> = this.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.retryAfterSeconds) };
      return { status: 429, headers };
    }
    this.acceptedCount += 1;
    const ids = this.accepted.get(request.path) ?? [];
    ids.push(String(request.headers['webhook-id']));
    this.accepted.set(request.path, ids);
    return 200;
  };

  /** The Webhook-Ids a route accepted, in order. */
  acceptedBy(path: string): string[] {
    return this.accepted.get(path) ?? [];
  }

  get refused(): number {
    return this.refusedCount;
  }

  get total(): number {
    return this.refusedCount + this.acceptedCount;
  }
}
