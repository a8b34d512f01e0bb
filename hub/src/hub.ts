/**
 * One hub process: the database, the services (services.ts), the HTTP server, the delivery
 * worker and the background samplers. Fastify owns the lifecycle: the services are decorated
 * on the instance, `preClose` stops what starts new work, and `onClose` (once requests are
 * drained) waits for in-flight sends and closes the database.
 */
import { randomBytes } from 'node:crypto';
import { HEADERS } from '../../contract';
import type { HubConfig } from './config';
import { type Database, openDatabase, withHealth } from './db/database';
import { lockDataDir } from './db/data-dir-lock';
import { DatabaseHealth, isDatabaseUnavailable } from './db/health';
import { setting } from './db/settings';
import { DeliveryWorker } from './delivery/worker';
import { FailureLimiter } from './http/failure-limiter';
import { type HubApp, INBOUND_PATH, createServer, registerRoutes } from './http/server';
import { EventStore } from './inbound/event-store';
import { HubMetrics } from './metrics';
import { Claims } from './queue/claims';
import { Outcomes } from './queue/outcomes';
import { PacingStore } from './queue/pacing-store';
import { QueueStats } from './queue/queue-stats';
import { Replays } from './queue/replays';
import type { HubServices } from './services';
import { SubscriptionStore } from './subscriptions/subscription-store';
import { TenantRegistry } from './tenants/registry';
import { SecretBox } from './tenants/secrets';
import { TenantStore } from './tenants/tenant-store';

/** How often expired repeat keys, old events and unused pacing rows are removed. */
const HOUSEKEEPING_MS = 10 * 60_000;

export interface Hub extends HubServices {
  url: string;
  inboundUrl: string;
  app: HubApp;
  usingDevelopmentKey: boolean;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Pino options or false; default: JSON logs at config.logLevel with secrets redacted. */
  logger?: boolean | Record<string, unknown>;
}

/** Headers that carry secrets, never logged (pino paths use Node's lowercase names). */
export const REDACTED_HEADERS = ['authorization', HEADERS.webhookSecret, HEADERS.signature].map((name) => `req.headers["${name.toLowerCase()}"]`);

async function openHealthyDatabase(config: HubConfig, health: DatabaseHealth): Promise<Database> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: Math.max(10, config.concurrency),
    timeouts: config.databaseTimeouts,
  });
  return withHealth(db, health, isDatabaseUnavailable);
}

export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  const health = new DatabaseHealth(config.outageLogIntervalMs);
  let db: Database;
  try {
    db = await openHealthyDatabase(config, health);
  } catch (error) {
    unlock();
    throw error;
  }
  const app = await createServer({ config, health, logger: options.logger ?? { level: config.logLevel, redact: REDACTED_HEADERS } });
  health.attach(app.log);
  // An outage is logged once by `health`, not once per failed background task.
  const logError = (error: unknown, what: string): void => {
    if (!isDatabaseUnavailable(error)) app.log.error({ err: error }, what);
  };
  const metrics = new HubMetrics();
  const onBatchFailure = (error: unknown, size: number): void => {
    metrics.batchFailures.inc();
    app.log.warn({ err: error, size }, 'a batched statement failed: retrying its items one by one');
  };

  // Without HUB_SECRET_KEY (development only), a random key is kept in the database itself.
  const usingDevelopmentKey = config.secretKey === undefined;
  const key = config.secretKey ?? (await setting(db, 'development_secret_key', () => randomBytes(32).toString('hex')));
  const tenants = new TenantStore(db);
  const subscriptions = new SubscriptionStore(db);
  const claims = new Claims(db, { leaseMs: config.leaseMs, pacing: config.pacing });
  const outcomes = new Outcomes(db, { onBatchFailure });
  const pacing = new PacingStore(db, { accountWindowMs: config.pacing.accountWindowMs });
  await pacing.ensure();
  const box = new SecretBox(key);
  const services: HubServices = {
    config,
    db,
    health,
    box,
    metrics,
    tenants,
    registry: new TenantRegistry(tenants, db, (error) => logError(error, 'reloading tenants failed')),
    subscriptions,
    events: new EventStore(db, { dedupeWindowHours: config.dedupeWindowHours, onBatchFailure }),
    claims,
    outcomes,
    replays: new Replays(db),
    pacing,
    queueStats: new QueueStats(db),
    worker: new DeliveryWorker({ claims, outcomes, subscriptions }, box, metrics, app.log, config),
    signatureFailures: new FailureLimiter(config.authFailuresPerMinute),
    keyFailures: new FailureLimiter(config.authFailuresPerMinute),
  };
  await services.registry.start();
  await registerRoutes(app, services);

  const housekeeping = setInterval(() => {
    services.events
      .forgetExpired(config.retentionDays)
      .then(() => pacing.forgetUnused())
      .catch((error: unknown) => logError(error, 'cleanup failed'));
  }, HOUSEKEEPING_MS);
  housekeeping.unref();
  // The queue depth is sampled, never counted per scrape: scrapes must cost no query.
  const sampleQueue = () => {
    metrics.tenants.set(services.registry.size);
    services.queueStats.depth().then(
      (n) => metrics.queueDepth.set(n),
      (error: unknown) => logError(error, 'sampling the queue depth failed'),
    );
    services.queueStats.throttled().then(
      ({ targets, backlog }) => {
        metrics.throttledTargets.set(targets);
        metrics.throttledBacklog.set(backlog);
      },
      (error: unknown) => logError(error, 'sampling the throttled targets failed'),
    );
  };
  sampleQueue();
  app.server.on('connection', (socket) => {
    metrics.openConnections.inc();
    socket.once('close', () => metrics.openConnections.dec());
  });
  const sampler = setInterval(sampleQueue, config.queueDepthIntervalMs);
  sampler.unref();

  // Closing: no new claims and no background work from now on; Fastify stops accepting and
  // drains requests (idle keep-alive connections close now; whatever is still open at the
  // deadline, a stalled client, is cut); then in-flight sends finish (the rest stays in the
  // database) and the database closes.
  let workerStopped: Promise<void> = Promise.resolve();
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    clearInterval(housekeeping);
    clearInterval(sampler);
    services.registry.stop();
    workerStopped = services.worker.stop();
    deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
  });
  app.addHook('onClose', async () => {
    clearTimeout(deadline);
    await workerStopped;
    health.stop();
    await db.close();
    unlock();
  });

  await app.listen({ host: config.host, port: config.port });
  if (config.worker) services.worker.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    ...services,
    url,
    inboundUrl: `${url}${INBOUND_PATH}`,
    app,
    usingDevelopmentKey,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
