/** Prometheus metrics, one registry per hub instance. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type RejectReason = 'signature' | 'malformed' | 'too_large' | 'rate_limited';

export class HubMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: 'hub_inbound_received_total',
    help: 'Verified inbound deliveries, by result (accepted or duplicate).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'hub_inbound_rejected_total',
    help: 'Inbound deliveries rejected, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly delivered = new Counter({ name: 'hub_forward_delivered_total', help: 'Deliveries a subscribed Zap accepted (2xx).', registers: [this.registry] });
  readonly retried = new Counter({ name: 'hub_forward_retried_total', help: 'Delivery attempts scheduled for retry.', registers: [this.registry] });
  readonly throttled = new Counter({
    name: 'hub_forward_throttled_total',
    help: 'Sends a Zap answered 429 (back-pressure: retried after its Retry-After or a growing pause, without spending an attempt).',
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'hub_forward_failed_total',
    help: 'Deliveries given up (retries exhausted or a non-retryable answer).',
    registers: [this.registry],
  });
  readonly gone = new Counter({
    name: 'hub_subscriptions_gone_total',
    help: 'Subscriptions removed because the Zap answered 410 Gone.',
    registers: [this.registry],
  });
  readonly fenced = new Counter({
    name: 'hub_forward_fenced_total',
    help: 'Claims this process had lost to another (lease expired): at "send" nothing was sent, at "outcome" the result was not recorded.',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  readonly batchFailures = new Counter({
    name: 'hub_db_batch_failures_total',
    help: 'Batched statements that failed and were retried item by item.',
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'hub_delivery_latency_seconds',
    help: 'Time from receiving an event to a subscribed Zap accepting it.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [this.registry],
  });
  /** Sampled on an interval by the hub (never per scrape: a scrape must not cost a count). */
  readonly queueDepth = new Gauge({
    name: 'hub_queue_depth',
    help: 'Deliveries waiting to be sent (due now or later), sampled every HUB_QUEUE_DEPTH_INTERVAL_MS.',
    registers: [this.registry],
  });
  readonly throttledTargets = new Gauge({
    name: 'hub_targets_throttled',
    help: 'Target URLs paused or still slowed after a 429 (for every process), sampled every HUB_QUEUE_DEPTH_INTERVAL_MS.',
    registers: [this.registry],
  });
  readonly throttledBacklog = new Gauge({
    name: 'hub_throttled_backlog',
    help: 'Deliveries waiting for a paused or slowed target, sampled every HUB_QUEUE_DEPTH_INTERVAL_MS.',
    registers: [this.registry],
  });
  readonly openConnections = new Gauge({
    name: 'hub_http_open_connections',
    help: 'HTTP connections open to this process (keep-alive and stalled ones included): a connection storm or a slow-client flood shows here.',
    registers: [this.registry],
  });
  readonly tenants = new Gauge({ name: 'hub_tenants_known', help: 'Schools known to this process (held in memory).', registers: [this.registry] });
}
