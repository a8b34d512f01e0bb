/**
 * npm run bench:hub — measured side by side in one run on this machine:
 *  1. accepted inbound deliveries per second and p50/p99 latency: embedded PGlite hub, PostgreSQL
 *     hub, a bare Fastify endpoint that answers 200 doing nothing (the ceiling), and on each
 *     engine "Fastify + one durable INSERT per request" (the floor of any durable receiver), with
 *     each hub's accepted/s as a ratio of its engine's floor;
 *  2. fan-out throughput to a local receiver;
 *  2b. end-to-end latency (receipt → the Zap answered) at a steady offered load;
 *  3. a forged flood: forged requests per second answered, next to a legitimate school's
 *     accepted/s and p99 at a steady rate, alone and during the flood.
 * Servers run as child processes; the load generator (autocannon) runs here. Rounds are
 * interleaved and medians reported, since this machine is shared and noisy.
 * PostgreSQL: HUB_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test (a fresh
 * schema, dropped afterwards); skipped if unreachable.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { isJsonObject } from '../../contract';
import { VENDOR_PAYLOADS } from '../../contract/payloads';
import { type ChildServer, spawnServer, stopServer } from './child-server';
import { benchDataDir, exitAfterCleanup } from './cleanup';
import { freshSchema } from './fresh-schema';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 20;
const API_KEY = randomBytes(16).toString('hex');
const METRICS_TOKEN = randomBytes(16).toString('hex');
/** The legitimate school's steady rate during the flood phase (requests per second). */
const STEADY_RATE = 200;
const SECRET = randomBytes(23).toString('hex');
const HUB_MAIN = join(__dirname, '..', 'src', 'main.js');
const BARE = join(__dirname, 'bare-server.js');
const FLOOR = join(__dirname, 'durable-floor.js');
/** The steady offered loads for the end-to-end latency (events/s, each to 5 subscriptions). */
const E2E_RATES = (process.env.BENCH_E2E_RATES ?? '100,500').split(',').map(Number);
/** Which parts to run, e.g. BENCH_PARTS=2b to repeat only the end-to-end latency. */
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,2b,3').split(','));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

type Server = ChildServer;

let sequence = 0;
const completion = VENDOR_PAYLOADS.courseCompleted;
function body(): string {
  sequence += 1;
  // sent_at: when the load generator sent it, for the end-to-end latency.
  return JSON.stringify({
    ...completion,
    data: { ...(isJsonObject(completion.data) ? completion.data : {}), completed_at: 1.7e9 + sequence, sent_at: Date.now() },
  });
}

/**
 * A tag event of one of 1,000 users, each change adding or removing one tag: the hub reads and
 * writes that user's tag state on the hot path (inbound-plan.ts).
 */
const tagAdded = VENDOR_PAYLOADS.userTagAdded;
function tagBody(): string {
  sequence += 1;
  const user = sequence % 1000;
  const tags = ['learner', ...Array.from({ length: (sequence >> 10) % 4 }, (_, i) => `cohort-${i}`), `step-${sequence}`];
  return JSON.stringify({ ...tagAdded, data: { ...(isJsonObject(tagAdded.data) ? tagAdded.data : {}), id: `bench-user-${user}`, tags } });
}

interface LoadResult {
  perSecond: number;
  /** Every answer per second, whatever its status (for forged traffic: 401 and 429). */
  answeredPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, options: { signature?: string; connections?: number; rate?: number; body?: () => string } = {}): Promise<LoadResult> {
  const next = options.body ?? body;
  const result = await autocannon({
    url: `${url}/v1/learnworlds/webhooks`,
    method: 'POST',
    connections: options.connections ?? CONNECTIONS,
    duration: DURATION_S,
    ...(options.rate ? { overallRate: options.rate } : {}),
    headers: { 'content-type': 'application/json', 'learnworlds-webhook-signature': options.signature ?? `v1=${SECRET}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: next() }) }],
  });
  return {
    perSecond: result['2xx'] / DURATION_S,
    answeredPerSecond: (result['2xx'] + result.non2xx) / DURATION_S,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * A steady offered load: `rate` events per second for DURATION_S, sent on schedule (not in
 * bursts, as a connection-bound load generator would), each request on its own.
 */
async function paced(url: string, rate: number): Promise<number> {
  const total = rate * DURATION_S;
  const started = Date.now();
  const pending: Array<Promise<boolean>> = [];
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
    for (; sent < due; sent += 1) {
      pending.push(
        fetch(`${url}/v1/learnworlds/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'learnworlds-webhook-signature': `v1=${SECRET}` },
          body: body(),
        }).then(
          async (r) => (await r.arrayBuffer(), r.status === 202),
          () => false,
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return (await Promise.all(pending)).filter(Boolean).length;
}

async function queueDepth(server: Server): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/^hub_queue_depth (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Waits until every hub that delivers has an empty queue. */
async function settle(servers: Server[]): Promise<void> {
  for (const server of servers.filter((s) => s.name.startsWith('hub') && !s.name.endsWith('API only'))) {
    while ((await queueDepth(server)) > 0) await new Promise((r) => setTimeout(r, 200));
  }
}

async function subscribe(hubUrl: string, target: string, event = 'courseCompleted'): Promise<void> {
  const response = await fetch(`${hubUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ event, target_url: target, school_url: 'bench.learnworlds.com', webhook_secret: SECRET }),
  });
  if (response.status !== 201) throw new Error(`subscribe answered ${response.status}`);
}

async function main(): Promise<void> {
  let received = 0;
  let latencies: number[] | undefined; // recorded only during the end-to-end phase
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += 1;
      if (latencies) {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString());
        const sent = isJsonObject(parsed) && isJsonObject(parsed.data) ? parsed.data.sent_at : undefined;
        if (typeof sent === 'number') latencies.push(Date.now() - sent);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const dataDir = benchDataDir('lw-hub-bench-');
  const pg = await freshSchema();
  const hubEnv = {
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_API_KEYS: API_KEY,
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOWED_TARGETS: receiverUrl,
    HUB_POLL_INTERVAL_MS: '50',
    HUB_METRICS_TOKEN: METRICS_TOKEN,
    HUB_QUEUE_DEPTH_INTERVAL_MS: '100',
    // These phases measure the engine: one local Zap takes all the fan-out, so its pace must not
    // be what they wait on (delivery-bench.ts measures the default pacing).
    HUB_TARGET_RATE_PER_SECOND: '10000',
    HUB_ACCOUNT_RATE_LIMIT: '10000000',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
  };
  const servers: Server[] = [await spawnServer('bare Fastify (ceiling)', BARE, {})];
  const floors = new Map<string, Server>();
  floors.set('embedded', await spawnServer('floor: 1 INSERT, embedded', FLOOR, { DATA_DIR: join(dataDir, 'floor') }));
  const pgFloor = pg ? await freshSchema() : undefined;
  if (pgFloor) floors.set('postgres', await spawnServer('floor: 1 INSERT, PostgreSQL', FLOOR, { DATABASE_URL: pgFloor.url }));
  servers.push(...floors.values());
  servers.push(await spawnServer('hub, embedded PGlite', HUB_MAIN, { ...hubEnv, HUB_DATA_DIR: join(dataDir, 'db') }));
  const pgApiOnly = pg ? await freshSchema() : undefined;
  if (pg) servers.push(await spawnServer('hub, PostgreSQL', HUB_MAIN, { ...hubEnv, DATABASE_URL: pg.url }));
  // The same, as an API-only process (HUB_WORKER=off): delivering is left to other processes.
  if (pgApiOnly) servers.push(await spawnServer('hub, PostgreSQL, API only', HUB_MAIN, { ...hubEnv, DATABASE_URL: pgApiOnly.url, HUB_WORKER: 'off' }));
  const hubs = () => servers.filter((s) => s.name.startsWith('hub'));
  for (const s of hubs()) await subscribe(s.url, `${receiverUrl}/zap`);

  console.log(`node ${process.version}; ${CONNECTIONS} connections; ${ROUNDS} interleaved rounds of ${DURATION_S} s; medians\n`);
  const results = new Map<string, Array<Awaited<ReturnType<typeof load>>>>();
  const TAGS = ', tag events';
  const rows: Array<{ name: string; server: Server }> = [
    ...servers.map((server) => ({ name: server.name, server })),
    ...hubs().map((server) => ({ name: `${server.name}${TAGS}`, server })),
  ];
  if (PARTS.has('1')) {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const row of rows) {
        const r = await load(row.server.url, row.name.endsWith(TAGS) ? { body: tagBody } : {});
        results.set(row.name, [...(results.get(row.name) ?? []), r]);
        await settle(hubs()); // queued fan-out must not compete with the next run
      }
    }
    const ceiling = median(results.get(servers[0].name)!.map((r) => r.perSecond));
    console.log('1. inbound: accepted deliveries (stored durably with their fan-out rows; 1 subscription). Course completions of one user;');
    console.log('   "tag events": tag changes of 1,000 users (each read and writes the user\'s tag state; no subscription for them)');
    console.log(
      'server'.padEnd(42) +
        'accepted/s'.padStart(12) +
        'p50 ms'.padStart(9) +
        'p99 ms'.padStart(9) +
        'vs ceiling'.padStart(12) +
        'vs floor'.padStart(10) +
        'errors'.padStart(8),
    );
    const rate = (name: string) => median(results.get(name)!.map((r) => r.perSecond));
    for (const { name } of rows) {
      const rs = results.get(name)!;
      const perSecond = rate(name);
      const floor = name.startsWith('hub') ? floors.get(name.includes('PostgreSQL') ? 'postgres' : 'embedded') : undefined;
      console.log(
        name.padEnd(42) +
          perSecond.toFixed(0).padStart(12) +
          median(rs.map((r) => r.p50))
            .toFixed(1)
            .padStart(9) +
          median(rs.map((r) => r.p99))
            .toFixed(1)
            .padStart(9) +
          `${((perSecond / ceiling) * 100).toFixed(1)}%`.padStart(12) +
          (floor ? `${((perSecond / rate(floor.name)) * 100).toFixed(1)}%` : '').padStart(10) +
          String(rs.reduce((n, r) => n + r.errors, 0)).padStart(8),
      );
    }
  }

  // Parts 2 and 2b send to 5 subscriptions.
  const delivering = hubs().filter((s) => !s.name.endsWith('API only'));
  for (const server of delivering) {
    for (let i = 0; i < 4; i += 1) await subscribe(server.url, `${receiverUrl}/zap-${i}`);
  }
  if (PARTS.has('2')) {
    console.log('\n2. fan-out: 400 events × 5 subscriptions = 2,000 deliveries to a local receiver');
    for (const server of delivering) {
      // Drain anything left from phase 1 first.
      let last = -1;
      while (last !== received) {
        last = received;
        await new Promise((r) => setTimeout(r, 500));
      }
      const start = received;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 400; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${server.url}/v1/learnworlds/webhooks`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', 'Learnworlds-Webhook-Signature': `v1=${SECRET}` },
              body: body(),
            }).then((r) => r.arrayBuffer()),
          ),
        );
      }
      while (received - start < 2000) await new Promise((r) => setTimeout(r, 5));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`${server.name.padEnd(26)} ${(2000 / seconds).toFixed(0).padStart(8)} deliveries/s (${seconds.toFixed(2)} s, inbound included)`);
    }
  }

  if (PARTS.has('2b')) {
    console.log(`\n2b. end to end: a steady offered load for ${DURATION_S} s, 5 subscriptions each; receipt → the local Zap answered`);
    for (const rate of E2E_RATES) {
      for (const server of delivering) {
        await settle([server]);
        latencies = [];
        const answered = await paced(server.url, rate);
        const deadline = Date.now() + 60_000;
        let last = -1;
        while (Date.now() < deadline && last !== received) {
          last = received;
          await new Promise((r) => setTimeout(r, 500));
        }
        const sorted = [...latencies].sort((a, b) => a - b);
        const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
        console.log(
          `${`${rate} events/s (${rate * 5} deliveries/s)`.padEnd(28)} ${server.name.padEnd(26)} ${String(sorted.length).padStart(6)} deliveries  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms  (${answered} accepted)`,
        );
        latencies = undefined;
      }
    }
  }

  if (PARTS.has('3')) {
    console.log(`\n3. forged flood: ${CONNECTIONS} connections of forged signatures at full speed, while one school sends ${STEADY_RATE}/s`);
    console.log('server'.padEnd(26) + 'forged/s'.padStart(10) + 'school/s'.padStart(10) + 'p99 alone'.padStart(11) + 'p99 flood'.padStart(11));
    for (const server of delivering) {
      const rows: Array<{ forged: number; school: number; alone: number; during: number }> = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const alone = await load(server.url, { connections: 4, rate: STEADY_RATE });
        await settle([servers[0], server]);
        const [forged, during] = await Promise.all([
          load(server.url, { signature: `v1=${randomBytes(23).toString('hex')}` }),
          load(server.url, { connections: 4, rate: STEADY_RATE }),
        ]);
        await settle([servers[0], server]);
        rows.push({ forged: forged.answeredPerSecond, school: during.perSecond, alone: alone.p99, during: during.p99 });
      }
      console.log(
        server.name.padEnd(26) +
          median(rows.map((r) => r.forged))
            .toFixed(0)
            .padStart(10) +
          median(rows.map((r) => r.school))
            .toFixed(0)
            .padStart(10) +
          `${median(rows.map((r) => r.alone)).toFixed(1)} ms`.padStart(11) +
          `${median(rows.map((r) => r.during)).toFixed(1)} ms`.padStart(11),
      );
    }
  }
  if (!pg) console.log('\n(PostgreSQL unreachable: its rows were skipped)');

  await Promise.all(servers.map(stopServer));
  await pg?.drop();
  await pgFloor?.drop();
  await pgApiOnly?.drop();
  receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  void exitAfterCleanup(1);
});
