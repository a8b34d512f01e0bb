/** Wires the hub together: database, secrets, HTTP server, delivery worker, housekeeping. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from './config';
import { type Database, openDatabase } from './database';
import { lockDataDir } from './data-dir-lock';
import { HubMetrics } from './metrics';
import { SecretBox } from './secrets';
import { INBOUND_PATH, buildServer } from './server';
import { HubStore } from './store';
import { DeliveryWorker } from './worker';

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

export const REDACTED_HEADERS = [
  'req.headers.authorization',
  'req.headers["x-webhook-secret"]',
  'req.headers["learnworlds-webhook-signature"]',
];

export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: Math.max(10, config.concurrency) });
  } catch (error) {
    unlock();
    throw error;
  }
  const store = new HubStore(db, { dedupeWindowHours: config.dedupeWindowHours, leaseMs: config.leaseMs });
  // Without HUB_SECRET_KEY (development only), a random key is kept in the database itself.
  const usingDevelopmentKey = config.secretKey === undefined;
  const key = config.secretKey ?? (await store.setting('development_secret_key', () => randomBytes(32).toString('hex')));
  const box = new SecretBox(key);
  const metrics = new HubMetrics(() => store.queueDepth());
  let worker: DeliveryWorker | undefined;
  const logger = options.logger ?? { level: config.logLevel, redact: REDACTED_HEADERS };
  const app = await buildServer({ config, db, store, box, metrics, logger, onEventStored: () => worker?.wake() });
  worker = new DeliveryWorker(store, box, metrics, app.log, config);
  const housekeeping = setInterval(() => {
    store.cleanup(config.retentionDays).catch((error: unknown) => app.log.error({ err: error }, 'cleanup failed'));
  }, 10 * 60_000);
  housekeeping.unref();

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
        await app.close(); // stop accepting; in-flight requests finish
        await runningWorker.stop(); // in-flight deliveries finish; the rest stay in the database
        await db.close();
        unlock();
      })();
      return closing;
    },
  };
}
