import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type JsonObject, isJsonObject } from '../../contract';
import { type HubConfig, loadConfig } from '../src/config';
import { openDatabase } from '../src/database';
import { type Hub, startHub } from '../src/hub';

export const API_KEY = 'test-api-key-0123456789';
export const HUB_SECRET_KEY = 'test-hub-secret-key-0123456789abcdef';
export const WEBHOOK_SECRET = 'e8fad5b079d0977f61bc2d21fc5f461719e6478df7de56';
export const SIGNATURE = `v1=${WEBHOOK_SECRET}`;
/** The hub as the operator starts it: `node hub` (its package main, built by npm run build:hub). */
export const HUB_MAIN = join(__dirname, '..');

export type Backend = 'embedded' | 'postgres';
const PG_URL = process.env.HUB_TEST_DATABASE_URL;
/** Embedded always; PostgreSQL too when HUB_TEST_DATABASE_URL is set (.ci/run sets it). */
export const BACKENDS: Backend[] = PG_URL ? ['embedded', 'postgres'] : ['embedded'];

const cleanups: Array<() => Promise<void> | void> = [];
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

/** Points the Zapier app (HUB_URL, HUB_API_KEY) at a test hub, for tests that cross app and hub. */
export function useHub(url: string, key = API_KEY): void {
  process.env.HUB_URL = url;
  process.env.HUB_API_KEY = key;
}

/** Undoes useHub. */
export function forgetHub(): void {
  delete process.env.HUB_URL;
  delete process.env.HUB_API_KEY;
}

/** Runs `fn` when the test's cleanups run (afterEach(runCleanups)), last in, first out. */
export function atCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lw-hub-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
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
  cleanups.push(async () => {
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
  cleanups.push(async () => {
    await hub.close();
    // A 500 is never expected: its cause stands out in the test output instead of staying in the capture.
    const failures = logs.lines.filter((line) => line.includes('"msg":"request failed"'));
    if (failures.length > 0) process.stderr.write(`a test hub answered 500:\n${failures.join('')}`);
  });
  return { hub, config, logs };
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Responder = (request: ReceivedRequest, nth: number) => number | { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang';

/** A stand-in for Zapier's hook endpoint on 127.0.0.1. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private readonly counts = new Map<string, number>();
  /** Requests held unanswered (see hold()), in arrival order. */
  private readonly held: Array<() => void> = [];
  private holding = false;
  constructor(private responder: Responder = () => 200) {}

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** From now on, requests are received but not answered until release(): a send stays in flight as long as a test needs. */
  hold(): void {
    this.holding = true;
  }

  /** How many requests are held unanswered now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Answers every held request (by the responder) and stops holding. */
  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(received);
        const nth = (this.counts.get(received.path) ?? 0) + 1;
        this.counts.set(received.path, nth);
        const respond = () => {
          const answer = this.responder(received, nth);
          if (answer === 'hang') return;
          const { status, delayMs = 0, headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
          setTimeout(() => res.writeHead(status, headers).end('{}'), delayMs);
        };
        if (this.holding) this.held.push(respond);
        else respond();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => this.stop());
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** A hub as a child process (for crash and multi-process tests). */
export class HubProcess {
  child?: ChildProcess;
  url = '';
  output = '';
  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<this> {
    this.output = '';
    const child = spawn(process.execPath, [HUB_MAIN], { env: { ...process.env, ...this.env, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    cleanups.push(() => this.kill('SIGKILL'));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(this.output) || child.exitCode !== null, 30000, 'the hub process to listen');
    const match = /listening on (http:\/\/\S+)/.exec(this.output);
    if (!match) throw new Error(`hub process did not start:\n${this.output}`);
    this.url = match[1]!;
    return this;
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

/** The JSON body of a forwarded request, as an object ({} when it is not one). */
export function jsonBodyOf(body: Buffer | Uint8Array): JsonObject {
  const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
  return isJsonObject(parsed) ? parsed : {};
}

/** `data.n` of a test body (the sequence number tests put in each event). */
export function sequenceOf(request: ReceivedRequest): number | undefined {
  const data = jsonBodyOf(request.body).data;
  return isJsonObject(data) && typeof data.n === 'number' ? data.n : undefined;
}

/** A request the hub forwarded, as Zapier hands it to a hook perform: `Http-` headers, the raw and the parsed body. */
export function asZapierHook(request: ReceivedRequest): {
  cleanedRequest: unknown;
  rawRequest: { method: 'POST'; querystring: string; headers: Record<string, string>; content: string };
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const camel = name
      .split('-')
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('-');
    headers[/^content-(type|length)$/i.test(name) ? camel : `Http-${camel}`] = String(value);
  }
  const content = request.body.toString('utf8');
  const parsed: unknown = JSON.parse(content);
  return {
    cleanedRequest: typeof parsed === 'object' && parsed !== null ? { ...parsed, querystring: {} } : parsed,
    rawRequest: { method: 'POST', querystring: '', headers, content },
  };
}
