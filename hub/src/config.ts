/**
 * Hub configuration from the environment. Every setting is checked at start; a missing or
 * invalid one stops the start with a message naming it (and never echoing a secret value).
 */
import { resolve } from 'node:path';
import { type TargetRule, parseAllowedTargets } from './targets';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export interface HubConfig {
  host: string;
  port: number;
  databaseUrl?: string;
  dataDir: string;
  apiKeys: string[];
  /** Key for the secret hashes and encryption; undefined → a per-database development key. */
  secretKey?: string;
  production: boolean;
  allowedTargets: TargetRule[];
  retry: RetryPolicy;
  deliveryTimeoutMs: number;
  /** How long a claimed delivery stays reserved for the process that claimed it. */
  leaseMs: number;
  concurrency: number;
  /** Run the delivery worker in this process (off: an API-only process; others deliver). */
  worker: boolean;
  pollIntervalMs: number;
  bodyLimitBytes: number;
  dedupeWindowHours: number;
  retentionDays: number;
  logLevel: string;
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

export const DEFAULT_ALLOWED_TARGETS = 'https://hooks.zapier.com';

export function loadConfig(env: Env = process.env): HubConfig {
  const production = env.NODE_ENV === 'production';
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);

  const databaseUrl = (env.DATABASE_URL ?? '').trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)');
  }

  const apiKeys = (env.HUB_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (apiKeys.some((k) => k.length < 16)) throw new ConfigError('HUB_API_KEYS: every key must be at least 16 characters long');
  if (production && apiKeys.length === 0) throw new ConfigError('HUB_API_KEYS is required when NODE_ENV=production');

  const secretKey = (env.HUB_SECRET_KEY ?? '').trim() || undefined;
  if (secretKey !== undefined && secretKey.length < 32) throw new ConfigError('HUB_SECRET_KEY must be at least 32 characters long');
  if (production && secretKey === undefined) throw new ConfigError('HUB_SECRET_KEY is required when NODE_ENV=production');

  let allowedTargets: TargetRule[];
  try {
    allowedTargets = parseAllowedTargets(env.HUB_ALLOWED_TARGETS ?? DEFAULT_ALLOWED_TARGETS);
  } catch (error) {
    throw new ConfigError(`HUB_ALLOWED_TARGETS: ${(error as Error).message}`);
  }

  const retry: RetryPolicy = {
    baseMs: integer(env, 'HUB_RETRY_BASE_MS', 60_000, 1, 86_400_000),
    maxMs: integer(env, 'HUB_RETRY_MAX_MS', 3_600_000, 1, 7 * 86_400_000),
    maxAttempts: integer(env, 'HUB_RETRY_MAX_ATTEMPTS', 10, 1, 100),
  };
  if (retry.maxMs < retry.baseMs) throw new ConfigError('HUB_RETRY_MAX_MS must not be smaller than HUB_RETRY_BASE_MS');
  const deliveryTimeoutMs = integer(env, 'HUB_DELIVERY_TIMEOUT_MS', 10_000, 100, 120_000);
  const leaseMs = integer(env, 'HUB_DELIVERY_LEASE_MS', 60_000, 500, 3_600_000);
  if (leaseMs <= deliveryTimeoutMs) throw new ConfigError('HUB_DELIVERY_LEASE_MS must be longer than HUB_DELIVERY_TIMEOUT_MS');

  const workerSetting = (env.HUB_WORKER ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(workerSetting)) throw new ConfigError(`HUB_WORKER must be "on" or "off", got "${env.HUB_WORKER}"`);
  if (workerSetting === 'off' && !databaseUrl) throw new ConfigError('HUB_WORKER=off needs DATABASE_URL: with the embedded database no other process can deliver');

  return {
    host,
    port,
    databaseUrl,
    dataDir: resolve((env.HUB_DATA_DIR ?? '').trim() || '.data/hub'),
    apiKeys,
    secretKey,
    production,
    allowedTargets,
    retry,
    deliveryTimeoutMs,
    leaseMs,
    concurrency: integer(env, 'HUB_CONCURRENCY', 16, 1, 512),
    worker: workerSetting === 'on',
    pollIntervalMs: integer(env, 'HUB_POLL_INTERVAL_MS', 500, 5, 60_000),
    bodyLimitBytes: 1024 * 1024,
    dedupeWindowHours: 24,
    retentionDays: integer(env, 'HUB_RETENTION_DAYS', 7, 1, 365),
    logLevel: (env.LOG_LEVEL ?? '').trim() || 'info',
  };
}
