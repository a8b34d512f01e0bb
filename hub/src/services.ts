/**
 * What one hub process is made of, built once by hub.ts and decorated on the Fastify instance
 * (`app.hub`), so route plugins read their services from the instance they are registered on.
 */
import type { Claims } from './queue/claims';
import type { HubConfig } from './config';
import type { Database } from './db/database';
import type { DatabaseHealth } from './db/health';
import type { DeliveryWorker } from './delivery/worker';
import type { FailureLimiter } from './http/failure-limiter';
import type { EventStore } from './inbound/event-store';
import type { HubMetrics } from './metrics';
import type { Outcomes } from './queue/outcomes';
import type { PacingStore } from './queue/pacing-store';
import type { QueueStats } from './queue/queue-stats';
import type { Replays } from './queue/replays';
import type { SubscriptionStore } from './subscriptions/subscription-store';
import type { TenantRegistry } from './tenants/registry';
import type { SecretBox } from './tenants/secrets';
import type { TenantStore } from './tenants/tenant-store';

export interface HubServices {
  config: HubConfig;
  db: Database;
  /** Whether the database answers; outages are logged there, once. */
  health: DatabaseHealth;
  box: SecretBox;
  metrics: HubMetrics;
  tenants: TenantStore;
  /** The known schools, in memory: an unknown signature costs no query. */
  registry: TenantRegistry;
  subscriptions: SubscriptionStore;
  events: EventStore;
  claims: Claims;
  outcomes: Outcomes;
  replays: Replays;
  pacing: PacingStore;
  queueStats: QueueStats;
  worker: DeliveryWorker;
  /** Unknown webhook signatures, per client address. */
  signatureFailures: FailureLimiter;
  /** Wrong bearer keys (subscription API, metrics, admin), per client address. */
  keyFailures: FailureLimiter;
}

declare module 'fastify' {
  interface FastifyInstance {
    hub: HubServices;
  }
}
