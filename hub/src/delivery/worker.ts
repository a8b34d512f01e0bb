/**
 * The delivery worker: claims due deliveries from the database (so several processes share the
 * work without sending anything twice), forwards them with bounded concurrency, and records each
 * outcome. Work waiting lives only in the database; a crash leaves claims that expire and are
 * picked up again.
 */
import type { FastifyBaseLogger } from 'fastify';
import { signatureFor } from '../../../contract';
import type { RetryPolicy } from '../config';
import { isDatabaseUnavailable } from '../db/health';
import { type ForwardOutcome, createForwardAgent, forward, nextRetryDelay } from './forwarder';
import type { HubMetrics } from '../metrics';
import type { SecretBox } from '../tenants/secrets';
import type { ClaimedDelivery, Claims } from '../queue/claims';
import type { Outcomes } from '../queue/outcomes';
import type { SubscriptionStore } from '../subscriptions/subscription-store';
import { type TargetRule, targetRefusal } from './targets';

/** How long the loop waits after a wake-up before claiming, to claim for several freed slots at once. */
const CLAIM_GATHER_MS = 2;
/** Claimed deliveries (sending or waiting for a slot) at most, in rounds of HUB_CONCURRENCY sends. */
const CLAIM_AHEAD_ROUNDS = 6;
/** A claim is made once fewer than this many rounds of sends are waiting for a slot. */
const CLAIM_BELOW_ROUNDS = 2;
/**
 * Deliveries a school may have claimed or in flight, in multiples of HUB_TENANT_CONCURRENCY (its
 * sends in flight): one more round waits claimed, so a school's next send starts when one of its
 * own ends, not a claim's round trip later.
 */
const TENANT_CLAIM_ROUNDS = 2;
/** How often an outcome write is tried again while the database is unavailable. */
const OUTCOME_RETRY_MS = 250;

export interface WorkerOptions {
  concurrency: number;
  /** Sends in flight per school in this process (its claims may hold one more round: TENANT_CLAIM_ROUNDS). */
  tenantConcurrency: number;
  pollIntervalMs: number;
  deliveryTimeoutMs: number;
  retry: RetryPolicy;
  allowedTargets: TargetRule[];
}

export class DeliveryWorker {
  private running = false;
  private loop?: Promise<void>;
  /** Sends in flight (each holds a slot until the Zap has answered). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Outcomes being written, after their slot was freed (the claim's lease still fences them). */
  private readonly recording = new Set<Promise<void>>();
  /** Claimed, waiting for a free slot (at most CLAIM_AHEAD_ROUNDS - 1 rounds of sends). */
  private readonly ready: ClaimedDelivery[] = [];
  /** Deliveries claimed or in flight per tenant key (at most TENANT_CLAIM_ROUNDS × HUB_TENANT_CONCURRENCY). */
  private readonly busy = new Map<string, number>();
  /** Sends in flight per tenant key (at most HUB_TENANT_CONCURRENCY), so one school cannot hold every slot. */
  private readonly sending = new Map<string, number>();
  /**
   * Targets that just answered 429, while their pause is being written: their claimed deliveries
   * are held here instead of sent, then given back once the pause is recorded (no attempt spent).
   */
  private readonly held = new Map<string, ClaimedDelivery[]>();
  private wakeUp?: () => void;
  private wakeRequested = false;
  private readonly agent = createForwardAgent();
  /** The earliest time a target this process claimed from may send again (its pacing), if still ahead. */
  private nextTargetReadyAt?: number;
  /** Outcome writes waiting for the database to come back: no new claims meanwhile (outcomes first). */
  private recordsWaiting = 0;

  constructor(
    private readonly queue: { claims: Claims; outcomes: Outcomes; subscriptions: SubscriptionStore },
    private readonly box: SecretBox,
    private readonly metrics: HubMetrics,
    private readonly log: FastifyBaseLogger,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ask for an immediate claim round (after an inbound delivery was stored). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Stops claiming, lets in-flight sends finish (each bounded by the delivery timeout). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    // Claimed but not started: given back now, so another process need not wait out their leases.
    const unsent = this.ready.splice(0);
    for (const waiting of this.held.values()) unsent.push(...waiting.splice(0));
    for (const delivery of unsent) this.done(delivery);
    if (unsent.length > 0) {
      await this.queue.claims.releaseClaims(unsent).catch((error: unknown) => {
        if (!isDatabaseUnavailable(error)) this.log.error({ err: error }, 'giving back unsent claims failed: their leases expire instead');
      });
    }
    await Promise.allSettled([...this.inFlight.values()]);
    await Promise.allSettled([...this.recording]);
    await this.agent.close();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = undefined;
    this.wakeRequested = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      // Claims run ahead of the free slots (`ready`), so slots freed by finished sends start the
      // next claimed delivery at once; and a claim waits until less than two rounds are left, so
      // one claim (one statement) serves many sends.
      const { concurrency } = this.options;
      const room = CLAIM_AHEAD_ROUNDS * concurrency - this.inFlight.size - this.ready.length;
      let claimed: ClaimedDelivery[] = [];
      // Outcomes first: no new claims while writes wait for the database or pile up behind it.
      if (room > 0 && this.ready.length < CLAIM_BELOW_ROUNDS * concurrency && this.recordsWaiting === 0 && this.recording.size < 2 * concurrency) {
        try {
          claimed = await this.queue.claims.claimDue(room, TENANT_CLAIM_ROUNDS * this.options.tenantConcurrency, this.busy);
        } catch (error) {
          // An outage is logged once (db/health.ts); the next poll tries again.
          if (!isDatabaseUnavailable(error)) this.log.error({ err: error }, 'claiming deliveries failed');
        }
      }
      for (const delivery of claimed) this.busy.set(delivery.tenantKey, (this.busy.get(delivery.tenantKey) ?? 0) + 1);
      this.ready.push(...claimed);
      this.startReady();
      // Until the next poll, or until a target just claimed from may send again (its pacing); a
      // finished send (a free slot) or a stored event wakes the loop early.
      const now = Date.now();
      if (this.nextTargetReadyAt !== undefined && this.nextTargetReadyAt <= now) this.nextTargetReadyAt = undefined;
      for (const delivery of claimed) {
        const readyAt = now + Math.max(1, delivery.targetReadyInMs);
        this.nextTargetReadyAt = Math.min(this.nextTargetReadyAt ?? readyAt, readyAt);
      }
      await this.sleep(Math.min(this.options.pollIntervalMs, this.nextTargetReadyAt === undefined ? Infinity : this.nextTargetReadyAt - now));
      // Let sends finishing together free their slots, so one claim serves several of them.
      await new Promise((resolve) => setTimeout(resolve, CLAIM_GATHER_MS));
    }
  }

  /**
   * Starts claimed deliveries while slots are free, in claim order, skipping those of a school
   * with HUB_TENANT_CONCURRENCY sends in flight. A slot is freed as soon as the Zap has answered;
   * the outcome is written meanwhile (batched with others), still under the claim.
   */
  private startReady(): void {
    const cap = this.options.tenantConcurrency;
    for (let i = 0; this.running && this.inFlight.size < this.options.concurrency && i < this.ready.length;) {
      const delivery = this.ready[i];
      const held = this.held.get(delivery.targetUrl);
      if (held) {
        held.push(...this.ready.splice(i, 1));
        continue;
      }
      const sending = this.sending.get(delivery.tenantKey) ?? 0;
      if (sending >= cap) {
        i += 1;
        continue;
      }
      this.ready.splice(i, 1);
      this.sending.set(delivery.tenantKey, sending + 1);
      const task = this.send(delivery).then((outcome) => {
        this.inFlight.delete(delivery.id);
        this.countDown(this.sending, delivery.tenantKey);
        this.done(delivery);
        // A 429: what this process has claimed for the target is not sent before its pause is written.
        const throttled = outcome?.kind === 'throttled' && !this.held.has(delivery.targetUrl);
        if (throttled) this.hold(delivery.targetUrl);
        this.startReady();
        this.wake();
        if (outcome === undefined) return;
        const written = this.record(delivery, outcome)
          .then(() => (throttled ? this.giveBackHeld(delivery.targetUrl) : undefined))
          .finally(() => {
            this.recording.delete(written);
            this.wake();
          });
        this.recording.add(written);
      });
      this.inFlight.set(delivery.id, task);
    }
  }

  /** Holds the target's claimed deliveries (now and until its pause is written) back from sending. */
  private hold(targetUrl: string): void {
    const held: ClaimedDelivery[] = [];
    for (let i = this.ready.length - 1; i >= 0; i -= 1) {
      if (this.ready[i].targetUrl === targetUrl) held.unshift(...this.ready.splice(i, 1));
    }
    this.held.set(targetUrl, held);
  }

  /**
   * Gives the held claims of a target back once its pause is written (or its write failed): the
   * next claim after the pause takes them again, with no attempt spent. If the database cannot
   * take them back, their leases expire instead.
   */
  private async giveBackHeld(targetUrl: string): Promise<void> {
    const held = this.held.get(targetUrl) ?? [];
    this.held.delete(targetUrl);
    if (held.length === 0) return;
    try {
      await this.queue.claims.releaseClaims(held);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) this.log.error({ err: error }, 'giving back claims held by a 429 failed: their leases expire instead');
    } finally {
      for (const delivery of held) this.done(delivery);
    }
  }

  private done(delivery: ClaimedDelivery): void {
    this.countDown(this.busy, delivery.tenantKey);
  }

  private countDown(counts: Map<string, number>, tenantKey: string): void {
    const left = (counts.get(tenantKey) ?? 1) - 1;
    if (left > 0) counts.set(tenantKey, left);
    else counts.delete(tenantKey);
  }

  /** Sends one claimed delivery; the outcome to record, or undefined when there is nothing to record. */
  private async send(delivery: ClaimedDelivery): Promise<ForwardOutcome | undefined> {
    // A process paused between claim and send (GC, SIGSTOP, an overloaded host) may have lost
    // its claim: only send while the lease outlives the send, or another process may be sending.
    if (Date.now() + this.options.deliveryTimeoutMs > delivery.leaseExpiresAt) {
      this.metrics.fenced.inc({ stage: 'send' });
      this.log.warn({ delivery: delivery.id, attempt: delivery.attempts }, 'claim too old to send (this process was paused?): left to its next claim');
      return undefined;
    }
    const refusal = targetRefusal(delivery.targetUrl, this.options.allowedTargets);
    if (refusal) return { kind: 'fail', status: null, error: refusal };
    let signature: string;
    try {
      signature = signatureFor(this.box.decrypt(delivery.secretEnc));
    } catch {
      return { kind: 'fail', status: null, error: 'the stored webhook secret cannot be decrypted with HUB_SECRET_KEY' };
    }
    return forward(
      {
        url: delivery.targetUrl,
        body: delivery.body,
        signature,
        webhookId: delivery.webhookId,
        facts: { event_id: delivery.eventId, received_at: delivery.receivedAt.toISOString(), ...delivery.facts },
        timeoutMs: this.options.deliveryTimeoutMs,
      },
      this.agent,
    );
  }

  /**
   * An outcome write, retried while the database is unavailable and the claim's lease lasts: a
   * send that reached the Zap is not sent again just because its record could not be written.
   */
  private async durably<T>(delivery: ClaimedDelivery, write: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await write();
      } catch (error) {
        if (!isDatabaseUnavailable(error) || !this.running || Date.now() + OUTCOME_RETRY_MS >= delivery.leaseExpiresAt) throw error;
        this.recordsWaiting += 1;
        await new Promise((resolve) => setTimeout(resolve, OUTCOME_RETRY_MS));
        this.recordsWaiting -= 1;
      }
    }
  }

  private async record(delivery: ClaimedDelivery, outcome: ForwardOutcome): Promise<void> {
    const context = { delivery: delivery.id, subscription: delivery.subscriptionId, attempt: delivery.attempts, target: new URL(delivery.targetUrl).host };
    // Outcome writes are fenced by the claim's attempt count: a lost race is counted, never applied.
    const fenced = (applied: boolean): boolean => {
      if (!applied) {
        this.metrics.fenced.inc({ stage: 'outcome' });
        this.log.warn({ ...context, outcome: outcome.kind }, 'outcome not recorded: another process has claimed this delivery since');
      }
      return !applied;
    };
    try {
      switch (outcome.kind) {
        case 'delivered':
          if (fenced(await this.durably(delivery, () => this.queue.outcomes.delivered(delivery.id, delivery.attempts, outcome.status)))) return;
          this.metrics.delivered.inc();
          this.metrics.latency.observe((Date.now() - delivery.receivedAt.getTime()) / 1000);
          this.log.debug({ ...context, status: outcome.status }, 'delivered');
          return;
        case 'gone':
          await this.queue.subscriptions.remove(delivery.subscriptionId);
          this.metrics.gone.inc();
          this.log.info(context, 'the Zap answered 410 Gone: subscription removed');
          return;
        case 'throttled': {
          // Back-pressure, not failure: no attempt is spent, until the Zap has refused for HUB_MAX_THROTTLE_HOURS.
          const throttled = await this.durably(delivery, () =>
            this.queue.outcomes.recordThrottled({
              id: delivery.id,
              attempts: delivery.attempts,
              retryAfterMs: outcome.retryAfterMs,
              maxThrottleMs: this.options.retry.maxThrottleMs,
            }),
          );
          if (throttled.result === 'fenced') {
            fenced(false);
            return;
          }
          this.metrics.throttled.inc();
          if (throttled.result === 'gave_up') {
            this.metrics.failed.inc();
            this.log.error(context, 'delivery given up: the Zap has answered 429 for longer than HUB_MAX_THROTTLE_HOURS');
          } else this.log.debug({ ...context, retryInMs: throttled.pauseMs }, 'the Zap answered 429: its target pauses, then slows');
          return;
        }
        case 'retry': {
          // Attempts of this round: a replay starts a new round with the full retry budget.
          const attempt = delivery.attempts - delivery.roundStart;
          const delay = nextRetryDelay(attempt, this.options.retry);
          if (delay !== undefined) {
            const failure = { id: delivery.id, attempts: delivery.attempts, status: outcome.status, error: outcome.error, retryInMs: delay };
            if (fenced(await this.durably(delivery, () => this.queue.outcomes.recordFailure(failure)))) return;
            this.metrics.retried.inc();
            this.log.warn({ ...context, error: outcome.error, retryInMs: delay }, 'delivery failed, will retry');
            return;
          }
          const error = `${outcome.error}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
          if (
            fenced(
              await this.durably(delivery, () =>
                this.queue.outcomes.recordFailure({ id: delivery.id, attempts: delivery.attempts, status: outcome.status, error }),
              ),
            )
          )
            return;
          this.metrics.failed.inc();
          this.log.error({ ...context, error: outcome.error }, 'delivery given up');
          return;
        }
        case 'fail':
          if (
            fenced(
              await this.durably(delivery, () =>
                this.queue.outcomes.recordFailure({ id: delivery.id, attempts: delivery.attempts, status: outcome.status, error: outcome.error }),
              ),
            )
          )
            return;
          this.metrics.failed.inc();
          this.log.error({ ...context, error: outcome.error }, 'delivery failed, not retryable');
          return;
      }
    } catch (error) {
      // The claim's lease expires and another round retries it: at least once, never lost.
      if (!isDatabaseUnavailable(error)) this.log.error({ ...context, err: error }, 'recording a delivery outcome failed');
    }
  }
}
