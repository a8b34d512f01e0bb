/**
 * `npm run demo`: the whole chain on this machine, with no accounts.
 *   LearnWorlds (this script) → hub (temporary embedded database) → a local stand-in for Zapier's
 *   hook endpoint, which runs the integration's own trigger `perform` through zapier-platform-core.
 * Two Zaps subscribe through the integration's own performSubscribe (course_completed and
 * any_event); the 17 vendor example bodies are sent signed, plus one forged and one repeated
 * delivery. Prints what each Zap received, unsubscribes, and exits non-zero on any difference.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppTester } from 'zapier-platform-core';
import App from '../../index';
import { LEARNWORLDS_EVENT_TYPES } from '../../src/catalogue';
import type { NormalisedItem } from '../../src/webhooks/normalise';
import { VENDOR_PAYLOADS } from '../../src/payloads';
import type { HookTriggerModule } from '../../src/webhooks/hook-trigger';
import { HOOK_TRIGGERS } from '../../triggers';
import { loadConfig } from './config';
import { startHub } from './hub';

const WEBHOOK_SECRET = randomBytes(23).toString('hex');
const authData = { school_url: 'demo-school.learnworlds.com', client_id: 'demo-client', client_secret: 'demo-secret', webhook_secret: WEBHOOK_SECRET };
const appTester = createAppTester(App);

interface Zap {
  name: string;
  trigger: HookTriggerModule;
  subscribeData?: { id: string };
  received: NormalisedItem[];
  dropped: number;
  off: boolean;
}

/** Zapier hands hook performs every header but Content-Type/Length as `Http-Camel-Case`. */
function zapierHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const camel = name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('-');
    headers[/^content-(type|length)$/i.test(name) ? camel : `Http-${camel}`] = String(value);
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function main(): Promise<number> {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const zaps: Zap[] = [
    { name: 'Zap A (course_completed)', trigger: HOOK_TRIGGERS.find((t) => t.spec.key === 'course_completed')!, received: [], dropped: 0, off: false },
    { name: 'Zap B (any_event)', trigger: HOOK_TRIGGERS.find((t) => t.spec.key === 'any_event')!, received: [], dropped: 0, off: false },
  ];

  // The stand-in for hooks.zapier.com: one path per Zap, running the trigger's perform.
  const zapier = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const zap = zaps[Number((req.url ?? '').split('/').pop())];
      const content = await readBody(req);
      if (!zap || zap.off) return res.writeHead(410).end();
      let cleaned: unknown;
      try {
        cleaned = { ...(JSON.parse(content) as object), querystring: {} };
      } catch {
        cleaned = {};
      }
      try {
        const items = await appTester(zap.trigger.perform, {
          authData,
          inputData: {},
          subscribeData: zap.subscribeData,
          cleanedRequest: cleaned,
          rawRequest: { method: 'POST', querystring: '', headers: zapierHeaders(req), content },
        });
        zap.received.push(...items);
        if (items.length === 0) zap.dropped += 1;
      } catch (error) {
        problems.push(`${zap.name}: perform threw ${(error as Error).message}`);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"success"}');
    })();
  });
  await new Promise<void>((resolve) => zapier.listen(0, '127.0.0.1', resolve));
  const zapierPort = (zapier.address() as AddressInfo).port;

  const dataDir = mkdtempSync(join(tmpdir(), 'lw-hub-demo-'));
  const apiKey = randomBytes(16).toString('hex');
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_DATA_DIR: join(dataDir, 'db'),
    HUB_API_KEYS: apiKey,
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOWED_TARGETS: `http://127.0.0.1:${zapierPort}`,
    HUB_POLL_INTERVAL_MS: '20',
  });
  const hub = await startHub(config, { logger: false });
  process.env.HUB_URL = hub.url;
  process.env.HUB_API_KEY = apiKey;
  console.log(`hub on ${hub.url} (embedded database in a temporary folder); Zapier stand-in on 127.0.0.1:${zapierPort}\n`);

  try {
    for (const [index, zap] of zaps.entries()) {
      const subscription = await appTester(zap.trigger.performSubscribe, { authData, inputData: {}, targetUrl: `http://127.0.0.1:${zapierPort}/hooks/${index}` });
      zap.subscribeData = { id: subscription.id };
      console.log(`${zap.name}: subscribed through performSubscribe → hub subscription ${subscription.id}`);
    }

    const post = async (body: string, signature: string) => {
      const response = await fetch(hub.inboundUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Learnworlds-Webhook-Signature': signature }, body });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    for (const type of LEARNWORLDS_EVENT_TYPES) {
      const answer = await post(JSON.stringify(VENDOR_PAYLOADS[type]), `v1=${WEBHOOK_SECRET}`);
      expect(answer.status === 202, `${type}: the hub answered ${answer.status}, expected 202`);
    }
    const forged = await post(JSON.stringify(VENDOR_PAYLOADS.courseCompleted), 'v1=forged-signature');
    expect(forged.status === 401, `forged delivery: the hub answered ${forged.status}, expected 401`);
    const repeat = await post(JSON.stringify(VENDOR_PAYLOADS.courseCompleted), `v1=${WEBHOOK_SECRET}`);
    expect(repeat.status === 200 && repeat.json.status === 'duplicate', `repeated delivery: the hub answered ${repeat.status} ${JSON.stringify(repeat.json)}, expected 200 duplicate`);
    console.log(`\nsent: ${LEARNWORLDS_EVENT_TYPES.length} signed vendor examples (202 each), 1 forged (${forged.status}), 1 repeat (${repeat.status} ${String(repeat.json.status)})\n`);

    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (zaps[0]!.received.length < 1 || zaps[1]!.received.length < LEARNWORLDS_EVENT_TYPES.length)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500)); // anything extra would arrive now

    for (const zap of zaps) {
      console.log(`${zap.name} received ${zap.received.length} item(s):`);
      for (const item of zap.received) console.log(`  ${item.event_type.padEnd(32)} ${item.id}  user ${String(item.user.email ?? '')} (${String(item.user.full_name)})`);
    }
    const [a, b] = zaps as [Zap, Zap];
    expect(a.received.length === 1 && a.received[0]?.event_type === 'courseCompleted', `${a.name}: expected exactly one courseCompleted item, got ${a.received.map((i) => i.event_type).join(', ') || 'none'}`);
    expect(a.dropped === LEARNWORLDS_EVENT_TYPES.length - 1 || a.dropped === 0, `${a.name}: unexpected drops ${a.dropped}`);
    const types = b.received.map((i) => i.event_type).sort();
    expect(JSON.stringify(types) === JSON.stringify([...LEARNWORLDS_EVENT_TYPES].sort()), `${b.name}: expected each of the 17 events once, got ${types.join(', ')}`);
    for (const item of b.received) {
      expect(typeof item.user.full_name === 'string' && typeof item.user === 'object', `${item.event_type}: no user.full_name`);
    }

    for (const zap of zaps) {
      const result = await appTester(zap.trigger.performUnsubscribe, { authData, subscribeData: zap.subscribeData });
      zap.off = true;
      expect(result.removed, `${zap.name}: performUnsubscribe did not remove the subscription`);
      console.log(`${zap.name}: unsubscribed through performUnsubscribe (removed: ${String(result.removed)})`);
    }
    const after = await post(JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, school_id: 'after-unsubscribe' }), `v1=${WEBHOOK_SECRET}`);
    expect(after.status === 202 && after.json.deliveries === 0, `after unsubscribing, the hub still fanned out: ${JSON.stringify(after.json)}`);
  } finally {
    await hub.close();
    await new Promise<void>((resolve) => zapier.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (problems.length > 0) {
    console.error(`\nDEMO FAILED (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log('\ndemo passed: every Zap received exactly what it should');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('demo crashed:', error);
    process.exit(1);
  },
);
