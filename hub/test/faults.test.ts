/**
 * Database faults. On PostgreSQL, through a TCP proxy the test controls (tcp-proxy.ts): lost
 * connections during transactions never end the process; an outage answers 503 with
 * Retry-After and is logged once; a black-holed database is answered within the timeouts;
 * recovery is automatic; nothing accepted is lost and no Webhook-Id reaches a Zap twice. On the
 * embedded store, a full disk (a tmpfs the test fills) is the same: 503, nothing half-written,
 * recovery when space returns.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { VENDOR_PAYLOADS } from '../../contract/payloads';
import {
  API_KEY,
  BACKENDS,
  atCleanup,
  count,
  migratedTemplate,
  sequenceOf,
  tempDir,
  HubProcess,
  Receiver,
  WEBHOOK_SECRET,
  deliver,
  freshPostgresUrl,
  hubEnv,
  runCleanups,
  subscribe,
  testHub,
  waitFor,
} from './helpers';
import { TcpProxy } from './tcp-proxy';

afterEach(runCleanups);

const pg = BACKENDS.includes('postgres') ? describe : describe.skip;
const PG = new URL(process.env.HUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

async function proxied(): Promise<{ proxy: TcpProxy; url: string }> {
  const proxy = await new TcpProxy(PG.hostname, Number(PG.port || 5432)).start();
  atCleanup(() => proxy.stop());
  const url = proxy.url(await freshPostgresUrl());
  return { proxy, url };
}

const FAST_TIMEOUTS = { HUB_DB_CONNECT_TIMEOUT_MS: '500', HUB_DB_STATEMENT_TIMEOUT_MS: '1000', HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000' };

const registerSchool = (url: string) =>
  fetch(`${url}/v1/schools`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ school_url: 'myschool.learnworlds.com', webhook_secret: WEBHOOK_SECRET }),
  }).then(async (r) => (await r.arrayBuffer(), r.status));

const course = (n: number) => JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, data: { ...(VENDOR_PAYLOADS.courseCompleted.data as object), n } });

pg('database faults on PostgreSQL', () => {
  test('connections lost in the middle of concurrent transactions never end the process', async () => {
    const { proxy, url } = await proxied();
    const name = `hub-fault-${process.pid}-${Date.now()}`;
    const withName = new URL(url);
    withName.searchParams.set('application_name', name);
    const hub = await new HubProcess(await hubEnv('postgres', { DATABASE_URL: withName.toString(), ...FAST_TIMEOUTS, LOG_LEVEL: 'fatal' })).start();
    const admin = new Client({ connectionString: PG.toString() });
    await admin.connect();
    try {
      const statuses: number[] = [];
      // 8 callers turning Zaps on (the same transaction path), while connections are cut and terminated.
      let stop = false;
      const callers = Array.from({ length: 8 }, async () => {
        while (!stop) statuses.push(await registerSchool(hub.url).catch(() => -1));
      });
      for (let round = 0; round < 6; round += 1) {
        await waitFor(() => statuses.length >= (round + 1) * 8, 20000, 'calls to be made');
        if (round % 2 === 0) proxy.cutAll();
        else await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      }
      stop = true;
      await Promise.all(callers);
      if (hub.child!.exitCode !== null) process.stderr.write(hub.output);
      expect(hub.child!.exitCode).toBeNull();
      expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      // Recovery is automatic: the next call succeeds.
      await waitFor(async () => (await registerSchool(hub.url)) === 200, 20000, 'a call to succeed again');
      expect(hub.child!.exitCode).toBeNull();
    } finally {
      await admin.end();
    }
  });

  test('an outage answers 503 with Retry-After (logged once), /healthz says 503, and 202 right after it ends', async () => {
    const { proxy, url } = await proxied();
    const { hub, logs } = await testHub('postgres', { DATABASE_URL: url, ...FAST_TIMEOUTS, HUB_DB_OUTAGE_LOG_INTERVAL_MS: '60000' });
    await subscribe(hub.url, { event: '*', target_url: 'https://hooks.zapier.com/hooks/standard/1/x/' });
    expect((await deliver(hub.inboundUrl, course(0))).status).toBe(202);
    // The outage is counted from a healthy hub: on a loaded machine a connection can take longer
    // than this test's 0.5 s connect timeout before the outage (a short outage of its own, ended).
    await waitFor(async () => (await fetch(`${hub.url}/healthz`)).status === 200, 15000, 'a healthy hub');
    const before = logs.lines.length;
    const outageLogs = () => logs.lines.slice(before);

    await proxy.refuse();
    proxy.cutAll();
    const answers = [];
    for (let n = 1; n <= 20; n += 1) {
      const response = await fetch(hub.inboundUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Learnworlds-Webhook-Signature': `v1=${WEBHOOK_SECRET}` },
        body: course(n),
      });
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() });
    }
    expect(answers.filter((a) => a.status !== 503 || !(Number(a.retryAfter) > 0))).toEqual([]);
    expect(answers[0].body).toEqual({ error: 'unavailable', message: 'the database is unavailable: try again later (nothing was stored)' });
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(503);
    const outageLines = outageLogs().filter((l) => l.includes('database unavailable'));
    expect(outageLines).toHaveLength(1);
    expect(logs.lines.filter((l) => l.includes('"level":50') && !l.includes('database unavailable'))).toEqual([]);

    await proxy.restore();
    expect((await deliver(hub.inboundUrl, course(21))).status).toBe(202);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect(outageLogs().filter((l) => l.includes('database available again'))).toHaveLength(1);
  });

  test('a black-holed database is answered with 503 within the timeouts, and recovers by itself', async () => {
    const { proxy, url } = await proxied();
    const { hub } = await testHub('postgres', { DATABASE_URL: url, ...FAST_TIMEOUTS });
    await subscribe(hub.url, { event: '*', target_url: 'https://hooks.zapier.com/hooks/standard/1/x/' });
    proxy.blackhole();
    proxy.cutAll(); // pooled connections too: every query needs a new one, which never answers
    // A hanging request would hit this signal's limit (far above the 0.5 s + 1 s timeouts) and fail the test.
    const answer = await fetch(hub.inboundUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Learnworlds-Webhook-Signature': `v1=${WEBHOOK_SECRET}` },
      body: course(1),
      signal: AbortSignal.timeout(30_000),
    });
    expect(answer.status).toBe(503);
    expect((await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(30_000) })).status).toBe(503);
    await proxy.restore();
    await waitFor(async () => (await deliver(hub.inboundUrl, course(2))).status === 202, 20000, 'the hub to accept again');
  });

  test('through an outage mid fan-out, nothing accepted is lost and no Webhook-Id reaches the Zap twice', async () => {
    const { proxy, url } = await proxied();
    const receiver = await new Receiver(() => 200).start();
    const { hub } = await testHub('postgres', {
      DATABASE_URL: url,
      ...FAST_TIMEOUTS,
      HUB_CONCURRENCY: '4',
      HUB_TENANT_CONCURRENCY: '4',
      HUB_DELIVERY_TIMEOUT_MS: '20000',
      HUB_DELIVERY_LEASE_MS: '45000',
    });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    receiver.hold();
    const accepted = new Set<number>();
    for (let n = 0; n < 30; n += 1) if ((await deliver(hub.inboundUrl, course(n))).status === 202) accepted.add(n);
    // Sends in flight when the database goes away (long timeouts: none is retried for slowness); their answers arrive during the outage.
    await waitFor(() => receiver.heldCount === 4, 15000, 'four sends in flight');
    await proxy.refuse();
    proxy.cutAll();
    receiver.respondWith(() => 200);
    receiver.release();
    for (let n = 30; n < 40; n += 1) if ((await deliver(hub.inboundUrl, course(n))).status === 202) accepted.add(n);
    await proxy.restore();
    for (let n = 40; n < 50; n += 1) if ((await deliver(hub.inboundUrl, course(n))).status === 202) accepted.add(n);

    const delivered = () => new Set(receiver.requests.map(sequenceOf));
    await waitFor(() => [...accepted].every((n) => delivered().has(n)), 30000, 'every accepted event to reach the Zap');
    await waitFor(async () => (await hub.queueStats.depth()) === 0, 30000, 'the queue to drain');
    // Before and after the outage everything was accepted; during it, what was refused got 503.
    for (let n = 0; n < 50; n += 1) if (n < 30 || n >= 40) expect(accepted.has(n)).toBe(true);
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.requests).toHaveLength(accepted.size);
  });
});

/**
 * A tmpfs of `megabytes` mounted for this test (unmounted by the cleanups, after the hub that
 * uses it has closed). Mounting needs root (as CI and the sessions run); elsewhere the test is
 * skipped, and says so in its name.
 */
function mountTmpfs(megabytes: number): string {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir]);
  atCleanup(() => {
    execFileSync('umount', [dir]);
  });
  return dir;
}

function canMount(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'lw-hub-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Appends to a file until the filesystem is full; returns its path (deleting it frees the space).
 * Called again before each request: a checkpoint may recycle WAL segments and free space meanwhile.
 */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    // Duck-typed: Node's errors come from another realm than the test's (instanceof Error fails).
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOSPC')) throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

const mounting = canMount() ? describe : describe.skip;

mounting('database faults on the embedded store (a tmpfs the test fills: needs root)', () => {
  test('a full disk answers 503 with Retry-After and stores nothing half-written; when space returns, intake and delivery go on, each event once', async () => {
    const disk = mountTmpfs(64);
    const dataDir = join(disk, 'db');
    cpSync(await migratedTemplate(), dataDir, { recursive: true });
    const receiver = await new Receiver(() => 200).start();
    const { hub, logs } = await testHub('embedded', { HUB_DATA_DIR: dataDir, HUB_DB_OUTAGE_LOG_INTERVAL_MS: '60000' });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    // Incompressible bodies of 200 KB: each needs new pages, which a full disk cannot give.
    const large = (n: number) => JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, data: { n, padding: randomBytes(100 * 1024).toString('hex') } });
    const accepted = new Set<number>();
    expect((await deliver(hub.inboundUrl, large(0))).status).toBe(202);
    accepted.add(0);
    await waitFor(() => receiver.requests.length === 1, 15000, 'the first delivery');

    const filler = fillDisk(disk);
    atCleanup(() => rmSync(filler, { force: true })); // before the hub closes, should the test fail: PGlite cannot shut down on a full disk
    const refused: Array<{ status: number; retryAfter: string | null; body: unknown }> = [];
    for (let n = 1; n <= 20 && refused.length < 3; n += 1) {
      fillDisk(disk);
      const response = await fetch(hub.inboundUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Learnworlds-Webhook-Signature': `v1=${WEBHOOK_SECRET}` },
        body: large(n),
      });
      const body: unknown = await response.json();
      if (response.status === 202) accepted.add(n);
      else refused.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body });
    }
    expect(refused).toHaveLength(3);
    expect(refused.filter((r) => r.status !== 503 || !(Number(r.retryAfter) > 0))).toEqual([]);
    expect(refused[0].body).toEqual({ error: 'unavailable', message: 'the database is unavailable: try again later (nothing was stored)' });
    // Nothing half-written: exactly the accepted events are stored, each with its one delivery.
    expect(await count(hub, 'events')).toBe(accepted.size);
    expect(await count(hub, 'deliveries')).toBe(accepted.size);
    expect(logs.lines.filter((l) => l.includes('database unavailable'))).toHaveLength(1);
    expect(logs.lines.filter((l) => l.includes('"level":50') && !l.includes('database unavailable'))).toEqual([]);

    rmSync(filler);
    await waitFor(async () => (await deliver(hub.inboundUrl, large(100))).status === 202, 15000, 'the hub to accept again');
    accepted.add(100);
    await waitFor(() => new Set(receiver.requests.map(sequenceOf)).size === accepted.size, 30000, 'every accepted event to reach the Zap');
    await waitFor(async () => (await hub.queueStats.depth()) === 0, 30000, 'the queue to drain');
    expect(new Set(receiver.requests.map(sequenceOf))).toEqual(accepted);
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(logs.lines.filter((l) => l.includes('database available again'))).toHaveLength(1);
  });
});
