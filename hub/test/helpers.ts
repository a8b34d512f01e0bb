import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isJsonObject } from '../../contract';
import { type HubConfig, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { type Hub, startHub } from '../src/hub';
import { atCleanup } from './cleanups';
import { type ReceivedRequest, jsonBodyOf } from './receiver';

export { atCleanup, runCleanups } from './cleanups';
export { HUB_MAIN, HubProcess } from './hub-process';
export { type ReceivedRequest, Receiver, type Responder, jsonBodyOf } from './receiver';
export { sleep, waitFor, waitForValue } from './wait';
export { ZapierIntake } from './zapier-intake';

export const API_KEY = 'test-api-key-0123456789';
export const HUB_SECRET_KEY = 'test-hub-secret-key-0123456789abcdef';
export const WEBHOOK_SECRET = 'e8fad5b079d0977f61bc2d21fc5f461719e6478df7de56';
export const SIGNATURE = `v1=${WEBHOOK_SECRET}`;

export type Backend = 'embedded' | 'postgres';
const PG_URL = process.env.HUB_TEST_DATABASE_URL;
/** Embedded always; PostgreSQL too when HUB_TEST_DATABASE_URL is set (.ci/run sets it). */
export const BACKENDS: Backend[] = PG_URL ? ['embedded', 'postgres'] : ['embedded'];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lw-hub-test-'));
  atCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh PostgreSQL schema for one hub (or a group of hubs), dropped afterwards. */
export async function freshPostgresUrl(): Promise<string> {
  if (!PG_URL) throw new Error('HUB_TEST_DATABASE_URL is not set');
  const schema = `hub_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  atCleanup(async () => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * An embedded database with every migration applied, made once per jest worker and copied for
 * each test hub: a copy and an open take about a third of a fresh PGlite's initdb and migrations.
 * The hub still runs its migrations at start (none is left to apply).
 */
const TEMPLATE_DIR = join(tmpdir(), `lw-hub-template-${process.pid}`);
export async function migratedTemplate(): Promise<string> {
  if (!existsSync(join(TEMPLATE_DIR, 'ready'))) {
    rmSync(TEMPLATE_DIR, { recursive: true, force: true });
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    const db = await openDatabase({ dataDir: join(TEMPLATE_DIR, 'db'), poolSize: 1 });
    await db.close();
    cpSync(join(TEMPLATE_DIR, 'db'), join(TEMPLATE_DIR, 'ready'), { recursive: true });
    process.once('exit', () => rmSync(TEMPLATE_DIR, { recursive: true, force: true }));
  }
  return join(TEMPLATE_DIR, 'ready');
}

export async function hubEnv(backend: Backend, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_API_KEYS: API_KEY,
    HUB_SECRET_KEY,
    HUB_ALLOWED_TARGETS: 'https://hooks.zapier.com,http://127.0.0.1:*',
    HUB_RETRY_BASE_MS: '40',
    HUB_RETRY_MAX_MS: '200',
    HUB_RETRY_MAX_ATTEMPTS: '3',
    HUB_DELIVERY_TIMEOUT_MS: '400',
    HUB_DELIVERY_LEASE_MS: '20000',
    HUB_POLL_INTERVAL_MS: '20',
    // Pacing is tested on its own (pacing.test.ts); elsewhere it must not be what a test waits on.
    HUB_TARGET_RATE_PER_SECOND: '10000',
    HUB_ACCOUNT_RATE_LIMIT: '10000000',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  if (backend === 'postgres') env.DATABASE_URL = env.DATABASE_URL ?? (await freshPostgresUrl());
  else if (env.HUB_DATA_DIR === undefined) {
    env.HUB_DATA_DIR = join(tempDir(), 'db');
    cpSync(await migratedTemplate(), env.HUB_DATA_DIR, { recursive: true });
  }
  return env;
}

export interface LogCapture {
  lines: string[];
}

/** An in-process hub, its logs captured, closed by runCleanups(). */
export async function testHub(backend: Backend, extra: Record<string, string> = {}): Promise<{ hub: Hub; config: HubConfig; logs: LogCapture }> {
  const config = loadConfig(await hubEnv(backend, extra));
  const logs: LogCapture = { lines: [] };
  const stream = { write: (line: string) => logs.lines.push(line) };
  const hub = await startHub(config, { logger: { level: 'debug', stream } });
  atCleanup(async () => {
    await hub.close();
    // A 500 is never expected: its cause stands out in the test output instead of staying in the capture.
    const failures = logs.lines.filter((line) => line.includes('"msg":"request failed"'));
    if (failures.length > 0) process.stderr.write(`a test hub answered 500:\n${failures.join('')}`);
  });
  return { hub, config, logs };
}

export async function subscribe(
  hubUrl: string,
  body: Record<string, unknown>,
  apiKey = API_KEY,
  webhookSecret = WEBHOOK_SECRET,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${hubUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ school_url: 'myschool.learnworlds.com', webhook_secret: webhookSecret, ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function unsubscribe(hubUrl: string, id: string, secret: string | null = WEBHOOK_SECRET, apiKey = API_KEY): Promise<number> {
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}` };
  if (secret !== null) headers['X-Webhook-Secret'] = secret;
  const response = await fetch(`${hubUrl}/v1/subscriptions/${id}`, { method: 'DELETE', headers });
  await response.arrayBuffer();
  return response.status;
}

export async function deliver(
  inboundUrl: string,
  body: unknown,
  signature: string | null = SIGNATURE,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (signature !== null) headers['Learnworlds-Webhook-Signature'] = signature;
  const response = await fetch(inboundUrl, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function count(hub: Hub, table: 'events' | 'deliveries' | 'subscriptions' | 'tenants', where = 'true'): Promise<number> {
  const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return Number(rows[0].n);
}

/** `data.n` of a test body (the sequence number tests put in each event). */
export function sequenceOf(request: ReceivedRequest): number | undefined {
  const data = jsonBodyOf(request.body).data;
  return isJsonObject(data) && typeof data.n === 'number' ? data.n : undefined;
}
