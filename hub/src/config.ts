/**
 * Hub configuration from the environment. Every setting is checked at start; a missing or
 * invalid one stops the start with a message naming it (and never echoing a secret value).
 */
import { DEFAULT_TIMEOUTS, type DatabaseTimeouts } from './db/database';
import { resolve } from 'node:path';
import type { PacingPolicy } from './queue/pacing';
import { type TargetRule, parseAllowedTargets } from './delivery/targets';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  /** How long a Zap may keep answering 429 (back-pressure, which spends no attempt) before the delivery is given up. */
  maxThrottleMs: number;
}

export interface HubConfig {
  host: string;
  port: number;
  databaseUrl?: string;
  dataDir: string;
  apiKeys: string[];
  /** Keys for the admin API and the console (never one of apiKeys); none → both are off. */
  adminKeys: string[];
  /** Key for the secret hashes and encryption; undefined → a per-database development key. */
  secretKey?: string;
  production: boolean;
  allowedTargets: TargetRule[];
  retry: RetryPolicy;
  /** How fast deliveries go out, per target URL and per account (queue/pacing.ts). */
  pacing: PacingPolicy;
  deliveryTimeoutMs: number;
  /** How long a claimed delivery stays reserved for the process that claimed it. */
  leaseMs: number;
  concurrency: number;
  /** Run the delivery worker in this process (off: an API-only process; others deliver). */
  worker: boolean;
  pollIntervalMs: number;
  bodyLimitBytes: number;
  dedupeWindowHours: number;
  /** How long to wait on PostgreSQL before calling it unavailable. */
  databaseTimeouts: DatabaseTimeouts;
  /** While the database is down, one summary log line per this interval. */
  outageLogIntervalMs: number;
  retentionDays: number;
  logLevel: string;
  /** Headers and body of a request must be in within this time, or the connection is closed. */
  requestTimeoutMs: number;
  /** On SIGTERM, connections still open after this are closed. */
  shutdownTimeoutMs: number;
  /** Bearer tokens for GET /metrics (several during a rotation); none → open (development only). */
  metricsTokens: string[];
  /** Fastify's trustProxy: which proxies may set X-Forwarded-For (false: none). */
  trustProxy: boolean | string;
  /** Failed authentication attempts per client address and minute before 429. */
  authFailuresPerMinute: number;
  /** Deliveries in flight per school and process, so one school's slow Zap cannot hold every slot. */
  tenantConcurrency: number;
  maxSubscriptionsPerSchool: number;
  /** How often the queue depth gauge is refreshed. */
  queueDepthIntervalMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(`${name} must be a number such as 24 or 0.5, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A comma-separated list of keys (several at once during a rotation). */
function keyList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

export const DEFAULT_ALLOWED_TARGETS = 'https://hooks.zapier.com';

/** The lease must outlive a send with room to spare: at least 2 × the delivery timeout plus this. */
export const LEASE_MARGIN_MS = 1000;

/** Mentions of credentials in a URL-like text, replaced before any message can echo it. */
export function redactCredentials(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

function parseTrustProxy(raw: string | undefined): boolean | string {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const entries = value.split(',').map((e) => e.trim());
  const valid = /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/i;
  const bad = entries.find((e) => !valid.test(e));
  if (bad !== undefined)
    throw new ConfigError(`HUB_TRUST_PROXY must be true, false, or addresses/CIDRs (or loopback, linklocal, uniquelocal), got "${redactCredentials(bad)}"`);
  return entries.join(',');
}

export function loadConfig(env: Env = process.env): HubConfig {
  const production = env.NODE_ENV === 'production';
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);

  const databaseUrl = (env.DATABASE_URL ?? '').trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)');
  }

  const apiKeys = keyList(env.HUB_API_KEYS);
  if (apiKeys.some((k) => k.length < 16)) throw new ConfigError('HUB_API_KEYS: every key must be at least 16 characters long');
  if (production && apiKeys.length === 0) throw new ConfigError('HUB_API_KEYS is required when NODE_ENV=production');

  const adminKeys = keyList(env.HUB_ADMIN_KEYS);
  if (adminKeys.some((k) => k.length < 16)) throw new ConfigError('HUB_ADMIN_KEYS: every key must be at least 16 characters long');
  if (adminKeys.some((k) => apiKeys.includes(k))) {
    throw new ConfigError("HUB_ADMIN_KEYS must not share a key with HUB_API_KEYS: the Zapier app's key is never an admin key");
  }

  const secretKey = (env.HUB_SECRET_KEY ?? '').trim() || undefined;
  if (secretKey !== undefined && secretKey.length < 32) throw new ConfigError('HUB_SECRET_KEY must be at least 32 characters long');
  if (production && secretKey === undefined) throw new ConfigError('HUB_SECRET_KEY is required when NODE_ENV=production');

  let allowedTargets: TargetRule[];
  try {
    allowedTargets = parseAllowedTargets(env.HUB_ALLOWED_TARGETS ?? DEFAULT_ALLOWED_TARGETS);
  } catch (error) {
    throw new ConfigError(`HUB_ALLOWED_TARGETS: ${redactCredentials(error instanceof Error ? error.message : String(error))}`);
  }

  const retry: RetryPolicy = {
    baseMs: integer(env, 'HUB_RETRY_BASE_MS', 60_000, 1, 86_400_000),
    maxMs: integer(env, 'HUB_RETRY_MAX_MS', 3_600_000, 1, 7 * 86_400_000),
    maxAttempts: integer(env, 'HUB_RETRY_MAX_ATTEMPTS', 10, 1, 100),
    maxThrottleMs: Math.round(decimal(env, 'HUB_MAX_THROTTLE_HOURS', 24, 0.0001, 24 * 30) * 3_600_000),
  };
  if (retry.maxMs < retry.baseMs) throw new ConfigError('HUB_RETRY_MAX_MS must not be smaller than HUB_RETRY_BASE_MS');
  const pacing: PacingPolicy = {
    targetRatePerSecond: decimal(env, 'HUB_TARGET_RATE_PER_SECOND', 25, 0.01, 10_000),
    accountLimit: integer(env, 'HUB_ACCOUNT_RATE_LIMIT', 10_000, 1, 10_000_000),
    accountWindowMs: integer(env, 'HUB_ACCOUNT_RATE_WINDOW_SECONDS', 300, 1, 86_400) * 1000,
  };
  const deliveryTimeoutMs = integer(env, 'HUB_DELIVERY_TIMEOUT_MS', 10_000, 100, 120_000);
  const leaseMs = integer(env, 'HUB_DELIVERY_LEASE_MS', 60_000, 500, 3_600_000);
  if (leaseMs < 2 * deliveryTimeoutMs + LEASE_MARGIN_MS) {
    throw new ConfigError(
      `HUB_DELIVERY_LEASE_MS must be at least 2 × HUB_DELIVERY_TIMEOUT_MS + ${LEASE_MARGIN_MS} ms (${2 * deliveryTimeoutMs + LEASE_MARGIN_MS}), got ${leaseMs}: ` +
        'a claim must outlive its send, or another process sends the delivery again',
    );
  }
  const metricsTokens = keyList(env.HUB_METRICS_TOKEN);
  if (metricsTokens.some((k) => k.length < 16)) throw new ConfigError('HUB_METRICS_TOKEN must be at least 16 characters long');
  if (production && metricsTokens.length === 0)
    throw new ConfigError('HUB_METRICS_TOKEN is required when NODE_ENV=production (GET /metrics needs it as a bearer token)');
  const concurrency = integer(env, 'HUB_CONCURRENCY', 16, 1, 512);

  const workerSetting = (env.HUB_WORKER ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(workerSetting)) throw new ConfigError(`HUB_WORKER must be "on" or "off", got "${env.HUB_WORKER}"`);
  if (workerSetting === 'off' && !databaseUrl)
    throw new ConfigError('HUB_WORKER=off needs DATABASE_URL: with the embedded database no other process can deliver');

  return {
    host,
    port,
    databaseUrl,
    dataDir: resolve((env.HUB_DATA_DIR ?? '').trim() || '.data/hub'),
    apiKeys,
    adminKeys,
    secretKey,
    production,
    allowedTargets,
    retry,
    pacing,
    deliveryTimeoutMs,
    leaseMs,
    concurrency,
    worker: workerSetting === 'on',
    pollIntervalMs: integer(env, 'HUB_POLL_INTERVAL_MS', 500, 5, 60_000),
    bodyLimitBytes: 1024 * 1024,
    dedupeWindowHours: 24,
    databaseTimeouts: {
      connectMs: integer(env, 'HUB_DB_CONNECT_TIMEOUT_MS', DEFAULT_TIMEOUTS.connectMs, 100, 120_000),
      statementMs: integer(env, 'HUB_DB_STATEMENT_TIMEOUT_MS', DEFAULT_TIMEOUTS.statementMs, 100, 600_000),
      idleInTransactionMs: integer(env, 'HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', DEFAULT_TIMEOUTS.idleInTransactionMs, 100, 600_000),
    },
    outageLogIntervalMs: integer(env, 'HUB_DB_OUTAGE_LOG_INTERVAL_MS', 10_000, 100, 3_600_000),
    retentionDays: integer(env, 'HUB_RETENTION_DAYS', 7, 1, 365),
    logLevel: (env.LOG_LEVEL ?? '').trim() || 'info',
    requestTimeoutMs: integer(env, 'HUB_REQUEST_TIMEOUT_MS', 15_000, 1000, 120_000),
    shutdownTimeoutMs: integer(env, 'HUB_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    metricsTokens,
    trustProxy: parseTrustProxy(env.HUB_TRUST_PROXY),
    authFailuresPerMinute: integer(env, 'HUB_AUTH_FAILURES_PER_MINUTE', 30, 1, 1_000_000),
    tenantConcurrency: integer(env, 'HUB_TENANT_CONCURRENCY', Math.max(1, Math.ceil((concurrency * 3) / 4)), 1, 512),
    maxSubscriptionsPerSchool: integer(env, 'HUB_MAX_SUBSCRIPTIONS_PER_SCHOOL', 250, 1, 100_000),
    queueDepthIntervalMs: integer(env, 'HUB_QUEUE_DEPTH_INTERVAL_MS', 15_000, 100, 3_600_000),
  };
}
