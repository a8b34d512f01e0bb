/** Wires the hub together: database, secrets, HTTP server, delivery worker, housekeeping. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HEADERS } from '../../contract';
import type { HubConfig } from './config';
import { type Database, openDatabase, withHealth } from './db/database';
import { DatabaseHealth, isDatabaseUnavailable } from './db/health';
import { lockDataDir } from './db/data-dir-lock';
import { HubMetrics } from './metrics';
import { SecretBox } from './tenants/secrets';
import { INBOUND_PATH, buildServer } from './http/server';
import { HubStore } from './store';
import { FailureLimiter } from './http/failure-limiter';
import { TenantRegistry } from './tenants/registry';
import { DeliveryWorker } from './delivery/worker';

export interface Hub {
  url: string;
  inboundUrl: string;
  app: FastifyInstance;
  db: Database;
  store: HubStore;
  metrics: HubMetrics;
  worker: DeliveryWorker;
  usingDevelopmentKey: boolean;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Pino options or false; default: JSON logs at config.logLevel with secrets redacted. */
  logger?: boolean | Record<string, unknown>;
}

/** Headers that carry secrets, never logged (pino paths use Node's lowercase names). */
export const REDACTED_HEADERS = ['authorization', HEADERS.webhookSecret, HEADERS.signature].map((name) => `req.headers["${name.toLowerCase()}"]`);

export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  const health = new DatabaseHealth(config.outageLogIntervalMs);
  let db: Database;
  try {
    db = withHealth(
      await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: Math.max(10, config.concurrency),
        timeouts: config.databaseTimeouts,
      }),
      health,
      isDatabaseUnavailable,
    );
  } catch (error) {
    unlock();
    throw error;
  }
  const metrics = new HubMetrics();
  let onBatchFailure = (_error: unknown, _size: number): void => undefined;
  const store = new HubStore(db, {
    dedupeWindowHours: config.dedupeWindowHours,
    leaseMs: config.leaseMs,
    pacing: config.pacing,
    onBatchFailure: (error, size) => onBatchFailure(error, size),
  });
  await store.ensurePacing();
  // Without HUB_SECRET_KEY (development only), a random key is kept in the database itself.
  const usingDevelopmentKey = config.secretKey === undefined;
  const key = config.secretKey ?? (await store.setting('development_secret_key', () => randomBytes(32).toString('hex')));
  const box = new SecretBox(key);
  // Created once the server (its logger) exists; inbound wakes it through this reference.
  let worker: DeliveryWorker | undefined = undefined;
  let logError = (_error: unknown, _what: string): void => undefined;
  const tenants = new TenantRegistry(store, db, (error) => logError(error, 'reloading tenants failed'));
  await tenants.start();
  const logger = options.logger ?? { level: config.logLevel, redact: REDACTED_HEADERS };
  const app = await buildServer({
    config,
    db,
    store,
    box,
    metrics,
    tenants,
    signatureFailures: new FailureLimiter(config.authFailuresPerMinute),
    keyFailures: new FailureLimiter(config.authFailuresPerMinute),
    health,
    logger,
    onEventStored: () => worker?.wake(),
  });
  health.attach(app.log);
  // An outage is logged once by `health`, not once per failed background task.
  logError = (error, what) => {
    if (!isDatabaseUnavailable(error)) app.log.error({ err: error }, what);
  };
  onBatchFailure = (error, size) => {
    metrics.batchFailures.inc();
    app.log.warn({ err: error, size }, 'a batched statement failed: retrying its items one by one');
  };
  worker = new DeliveryWorker(store, box, metrics, app.log, config);
  const housekeeping = setInterval(() => {
    store.cleanup(config.retentionDays).catch((error: unknown) => logError(error, 'cleanup failed'));
  }, 10 * 60_000);
  housekeeping.unref();
  // The queue depth is sampled, never counted per scrape: scrapes must cost no query.
  const sampleQueueDepth = () => {
    metrics.tenants.set(tenants.size);
    store.queueDepth().then(
      (n) => metrics.queueDepth.set(n),
      (error: unknown) => logError(error, 'sampling the queue depth failed'),
    );
    store.throttledTargets().then(
      ({ targets, backlog }) => {
        metrics.throttledTargets.set(targets);
        metrics.throttledBacklog.set(backlog);
      },
      (error: unknown) => logError(error, 'sampling the throttled targets failed'),
    );
  };
  sampleQueueDepth();
  const sampler = setInterval(sampleQueueDepth, config.queueDepthIntervalMs);
  sampler.unref();

  await app.listen({ host: config.host, port: config.port });
  if (config.worker) worker.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const runningWorker = worker;
  let closing: Promise<void> | undefined;
  return {
    url,
    inboundUrl: `${url}${INBOUND_PATH}`,
    app,
    db,
    store,
    metrics,
    worker: runningWorker,
    usingDevelopmentKey,
    close() {
      closing ??= (async () => {
        clearInterval(housekeeping);
        clearInterval(sampler);
        tenants.stop();
        // No new claims from now on; in-flight deliveries finish; the rest stay in the database.
        const workerStopped = runningWorker.stop();
        // Stop accepting; idle keep-alive connections close now, in-flight requests finish;
        // whatever is still open at the deadline (a stalled client) is cut.
        const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
        await app.close();
        clearTimeout(deadline);
        await workerStopped;
        health.stop();
        await db.close();
        unlock();
      })();
      return closing;
    },
  };
}
