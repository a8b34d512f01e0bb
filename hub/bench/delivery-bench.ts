/**
 * npm run bench:hub, part 2 — delivery shaped to Zapier, with the hub's default pacing
 * (25 requests/s per hook URL, 10,000 per 5 minutes per account), on each engine:
 *  A. Zapier-like: a receiver that answers 429 above 30 requests/s per route (sliding second,
 *     no Retry-After); a burst of 600 events to 2 Zaps. Completion time against the ideal (20 s:
 *     600 at 30/s), the share of 429 answers, give-ups, duplicates.
 *  B. aggregate fan-out: 200 Zaps of 200 Zapier users (200 schools), 20 events each = 4,000
 *     deliveries, beside a bare forwarder (the hub's own forward() with the same receiver and
 *     concurrency, no database): deliveries per second from the first to the last arrival, and
 *     the ratio to the bare forwarder.
 *  C. end-to-end latency at a steady 500 deliveries/s spread over 100 Zaps (5/s each, under
 *     their pace): receipt → the Zap answered, p50 and p99.
 * Each engine's hub is a child process on a fresh database. Figures from one run on a shared
 * machine: quote medians of several runs. DELIVERY_BENCH=B,C runs only those scenarios;
 * DELIVERY_BENCH_ENGINES=PostgreSQL only that engine.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isJsonObject, signatureFor } from '../../contract';
import { VENDOR_PAYLOADS } from '../../contract/payloads';
import { spawnServer, stopServer } from './child-server';
import { benchDataDir, exitAfterCleanup } from './cleanup';
import { freshSchema } from './fresh-schema';
import { createForwardAgent, forward } from '../src/delivery/forwarder';

const API_KEY = randomBytes(16).toString('hex');
const METRICS_TOKEN = randomBytes(16).toString('hex');
const HUB_MAIN = join(__dirname, '..', 'src', 'main.js');
/** The hub's default HUB_CONCURRENCY, which the bare forwarder uses too. */
const CONCURRENCY = 16;
const ZAPIER_LIMIT_PER_SECOND = 30;
const SCENARIOS = new Set((process.env.DELIVERY_BENCH ?? 'A,B,C').split(','));
const ENGINES = process.env.DELIVERY_BENCH_ENGINES?.split(',');

interface Arrival {
  path: string;
  webhookId: string;
  at: number;
  latencyMs?: number;
}

/** The stand-in for Zapier: per route, 429 above `limit` requests in the last second (when a limit is set). */
class Intake {
  limit: number | undefined;
  readonly accepted: Arrival[] = [];
  refused = 0;
  /** While set, requests wait unanswered (a backlog builds in the hub) until release(). */
  private held: Array<() => void> | undefined;
  private readonly recent = new Map<string, number[]>();
  readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.held) this.held.push(() => this.answer(req.headers, req.url, chunks, res));
      else this.answer(req.headers, req.url, chunks, res);
    });
  });

  hold(): void {
    this.held ??= [];
  }

  /** Answers the held requests and stops holding; returns the time of release. */
  release(): number {
    const held = this.held ?? [];
    this.held = undefined;
    const at = Date.now();
    for (const answer of held) answer();
    return at;
  }

  private answer(headers: IncomingHttpHeaders, url: string | undefined, chunks: Buffer[], res: ServerResponse): void {
    {
      const at = Date.now();
      const path = url ?? '/';
      if (this.limit !== undefined) {
        const window = (this.recent.get(path) ?? []).filter((t) => t > at - 1000);
        window.push(at);
        this.recent.set(path, window);
        if (window.length > this.limit) {
          this.refused += 1;
          res.writeHead(429).end();
          return;
        }
      }
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      const sent = isJsonObject(parsed) && isJsonObject(parsed.data) ? parsed.data.sent_at : undefined;
      this.accepted.push({ path, webhookId: String(headers['webhook-id']), at, ...(typeof sent === 'number' ? { latencyMs: at - sent } : {}) });
      res.writeHead(200).end();
    }
  }

  reset(limit?: number): void {
    this.limit = limit;
    this.accepted.length = 0;
    this.refused = 0;
    this.recent.clear();
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const startHub = (env: Record<string, string>) => spawnServer('the hub', HUB_MAIN, env);

async function subscribe(hubUrl: string, secret: string, target: string, filters: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`${hubUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ event: 'courseCompleted', target_url: target, school_url: 'bench.learnworlds.com', webhook_secret: secret, filters }),
  });
  if (response.status !== 201) throw new Error(`subscribe answered ${response.status}: ${await response.text()}`);
}

let sequence = 0;
const completion = VENDOR_PAYLOADS.courseCompleted;
const completionData = isJsonObject(completion.data) ? completion.data : {};
/** A distinct course completion (never taken for a LearnWorlds retry), optionally of one course. */
function body(course?: string): string {
  sequence += 1;
  const courseData = isJsonObject(completionData.course) ? completionData.course : {};
  return JSON.stringify({
    ...completion,
    data: { ...completionData, ...(course ? { course: { ...courseData, id: course } } : {}), completed_at: 1.7e9 + sequence, sent_at: Date.now() },
  });
}

async function send(hubUrl: string, secret: string, payload: string): Promise<void> {
  const response = await fetch(`${hubUrl}/v1/learnworlds/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'learnworlds-webhook-signature': `v1=${secret}` },
    body: payload,
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`inbound answered ${response.status}`);
}

/** Runs `tasks` with at most `width` at a time. */
async function inParallel(tasks: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

async function metric(hubUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${hubUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
}

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};

/** Deliveries per second from the first arrival to the last. */
function arrivalRate(arrivals: Arrival[]): number {
  const times = arrivals.map((a) => a.at);
  return arrivals.length / Math.max(0.001, (Math.max(...times) - Math.min(...times)) / 1000);
}

async function main(): Promise<void> {
  const intake = new Intake();
  const receiverUrl = await intake.start();
  const dataDir = benchDataDir('lw-delivery-bench-');
  const schemas: Array<{ drop: () => Promise<void> }> = [];
  const engines: Array<{ name: string; env: () => Promise<Record<string, string>> }> = [
    { name: 'embedded', env: async () => ({ HUB_DATA_DIR: join(dataDir, `db-${randomBytes(4).toString('hex')}`) }) },
  ];
  const probe = await freshSchema();
  if (probe) {
    await probe.drop();
    engines.push({
      name: 'PostgreSQL',
      env: async () => {
        const schema = (await freshSchema())!;
        schemas.push(schema);
        return { DATABASE_URL: schema.url };
      },
    });
  }
  if (ENGINES) engines.splice(0, engines.length, ...engines.filter((e) => ENGINES.includes(e.name)));
  const baseEnv = {
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_API_KEYS: API_KEY,
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOWED_TARGETS: receiverUrl,
    HUB_METRICS_TOKEN: METRICS_TOKEN,
    HUB_QUEUE_DEPTH_INTERVAL_MS: '100',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
  };
  console.log(`\nnode ${process.version}; the hub's default pacing (25/s per hook URL, 10,000 per 5 min per account), HUB_CONCURRENCY ${CONCURRENCY}`);

  if (SCENARIOS.has('A')) {
    console.log(`\nA. Zapier-like: 429 above ${ZAPIER_LIMIT_PER_SECOND}/s per route; a burst of 600 events to 2 Zaps (ideal 20 s)`);
    for (const engine of engines) {
      const hub = await startHub({ ...baseEnv, ...(await engine.env()) });
      const secret = randomBytes(23).toString('hex');
      const zaps = ['/hooks/catch/1001/a/', '/hooks/catch/1002/b/'];
      for (const zap of zaps) await subscribe(hub.url, secret, `${receiverUrl}${zap}`);
      intake.reset(ZAPIER_LIMIT_PER_SECOND);
      const t0 = Date.now();
      await inParallel(
        Array.from({ length: 600 }, () => () => send(hub.url, secret, body())),
        20,
      );
      const complete = await until(() => intake.accepted.length >= 1200, 300_000);
      const seconds = (Date.now() - t0) / 1000;
      const unique = new Set(intake.accepted.map((a) => `${a.path}|${a.webhookId}`)).size;
      const gaveUp = await metric(hub.url, 'hub_forward_failed_total');
      const answers = intake.accepted.length + intake.refused;
      console.log(
        `${engine.name.padEnd(12)} ${complete ? 'complete' : 'INCOMPLETE'} in ${seconds.toFixed(1)} s = ${(seconds / 20).toFixed(2)}× ideal; ` +
          `429: ${intake.refused} of ${answers} answers (${((100 * intake.refused) / answers).toFixed(2)} %); given up ${gaveUp}; duplicates ${intake.accepted.length - unique}`,
      );
      await stopServer(hub);
    }
  }

  if (SCENARIOS.has('B')) {
    console.log('\nB. aggregate fan-out: 200 Zaps of 200 Zapier users (200 schools), 20 events each = 4,000 deliveries');
    const secrets = Array.from({ length: 200 }, () => randomBytes(23).toString('hex'));
    const zapOf = (i: number) => `/hooks/catch/${2000 + i}/z/`;
    intake.reset();
    {
      // The ceiling: the hub's own forward() to the same receiver, same concurrency, no database.
      const agent = createForwardAgent();
      const signature = signatureFor(secrets[0]);
      const tasks = Array.from({ length: 4000 }, (_, n) => async () => {
        const outcome = await forward(
          {
            url: `${receiverUrl}${zapOf(n % 200)}`,
            body: Buffer.from(body()),
            signature,
            webhookId: randomBytes(16).toString('hex'),
            facts: { event_id: String(n), received_at: new Date().toISOString() },
            timeoutMs: 10_000,
          },
          agent,
        );
        if (outcome.kind !== 'delivered') throw new Error(`bare forward: ${outcome.kind}`);
      });
      await inParallel(tasks, CONCURRENCY);
      await agent.close();
    }
    const ceiling = arrivalRate(intake.accepted);
    console.log(`${'bare forwarder (ceiling)'.padEnd(26)} ${ceiling.toFixed(0).padStart(6)} deliveries/s`);
    for (const engine of engines) {
      const hub = await startHub({ ...baseEnv, ...(await engine.env()) });
      for (let i = 0; i < 200; i += 1) await subscribe(hub.url, secrets[i], `${receiverUrl}${zapOf(i)}`);
      // Overlapped: deliveries flow while the events arrive (inbound shares the database).
      intake.reset();
      const t0 = Date.now();
      await inParallel(
        Array.from({ length: 4000 }, (_, n) => () => send(hub.url, secrets[n % 200], body())),
        20,
      );
      const inboundSeconds = (Date.now() - t0) / 1000;
      const complete = await until(() => intake.accepted.length >= 4000, 300_000);
      const rate = arrivalRate(intake.accepted);
      // Drain: the receiver holds its answers until the 4,000 events are accepted, then the hub
      // works off the backlog: deliveries per second from the release to the last arrival.
      intake.reset();
      intake.hold();
      await inParallel(
        Array.from({ length: 4000 }, (_, n) => () => send(hub.url, secrets[n % 200], body())),
        20,
      );
      const released = intake.release();
      const drained = await until(() => intake.accepted.length >= 4000, 300_000);
      const drainRate = 4000 / Math.max(0.001, (Math.max(...intake.accepted.map((a) => a.at)) - released) / 1000);
      const share = (r: number) => `${r.toFixed(0).padStart(6)} deliveries/s = ${((100 * r) / ceiling).toFixed(1).padStart(4)} % of the ceiling`;
      console.log(
        `${`hub, ${engine.name}, backlog`.padEnd(26)} ${share(drainRate)} (${drained ? 'complete' : 'INCOMPLETE'}; from the release to the last arrival)`,
      );
      console.log(
        `${`hub, ${engine.name}, live`.padEnd(26)} ${share(rate)} (${complete ? 'complete' : 'INCOMPLETE'}; first to last arrival, while the events were accepted, in ${inboundSeconds.toFixed(1)} s)`,
      );
      await stopServer(hub);
    }
  }

  if (SCENARIOS.has('C')) {
    console.log('\nC. end to end: a steady 500 deliveries/s for 5 s, over 100 Zaps of one school (5/s each, by course filter)');
    for (const engine of engines) {
      const hub = await startHub({ ...baseEnv, ...(await engine.env()) });
      const secret = randomBytes(23).toString('hex');
      for (let i = 0; i < 100; i += 1) await subscribe(hub.url, secret, `${receiverUrl}/hooks/catch/${3000 + i}/c/`, { course_id: `course-${i}` });
      intake.reset();
      const rate = 500;
      const total = rate * 5;
      const started = Date.now();
      const pending: Array<Promise<void>> = [];
      const acceptMs: number[] = [];
      let unsent = 0;
      for (let sent = 0; sent < total;) {
        const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
        for (; sent < due; sent += 1) {
          const at = Date.now();
          // A hub that cannot keep up may leave a connection unanswered: counted, not fatal to the run.
          const accepted = send(hub.url, secret, body(`course-${sent % 100}`)).then(
            () => void acceptMs.push(Date.now() - at),
            () => void (unsent += 1),
          );
          pending.push(accepted);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(pending);
      const complete = await until(() => intake.accepted.length >= total - unsent, 120_000);
      const latencies = intake.accepted.flatMap((a) => (a.latencyMs === undefined ? [] : [a.latencyMs]));
      console.log(
        `${`hub, ${engine.name}`.padEnd(26)} ${String(latencies.length).padStart(6)} deliveries${complete ? '' : ' (INCOMPLETE)'}  p50 ${pct(latencies, 0.5)} ms  p99 ${pct(latencies, 0.99)} ms; accepted in p50 ${pct(acceptMs, 0.5)} ms, p99 ${pct(acceptMs, 0.99)} ms${unsent > 0 ? `; ${unsent} of ${total} events not accepted (connection refused or reset)` : ''}`,
      );
      await stopServer(hub);
    }
  }

  intake.server.close();
  for (const schema of schemas) await schema.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  void exitAfterCleanup(1);
});
