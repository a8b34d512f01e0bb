/**
 * `npm run demo`: the whole chain on this machine, with no accounts, in the order a school
 * admin meets it:
 *   1. connect: the app's own connection test (LearnWorlds' API answered by a local stand-in)
 *      registers the school with the hub (a real `node hub` process on a temporary embedded
 *      database);
 *   2. paste the hub URL into LearnWorlds: a delivery sent before any Zap is on is accepted;
 *   3. test the trigger: performList shows that real event, exactly as the Zap will get it;
 *   4. turn on two Zaps through performSubscribe: course_completed filtered to one course, and
 *      any_event; the 17 vendor examples are sent signed, plus another course's completion, one
 *      forged and one repeated delivery: the filtered Zap gets only its course, and the hub
 *      makes no request for the other course;
 *      a third Zap, Tags Removed filtered to "VIP", gets exactly the one removal of VIP (LearnWorlds
 *      sends the tags that remain; the hub knows which one went);
 *   5. turn the Zaps off through performUnsubscribe.
 * Exits non-zero on any difference.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { createAppTester } from 'zapier-platform-core';
import { HEADERS, HUB_PATHS, LEARNWORLDS_EVENT_TYPES, asText, isJsonObject, signatureFor } from '../contract';
import { VENDOR_PAYLOADS } from '../contract/payloads';
import App from '../index';
import { testConnection } from '../src/api/authentication';
import type { HookTriggerModule } from '../src/webhooks/hook-trigger';
import type { NormalisedItem } from '../src/webhooks/normalise';
import { sampleFor } from '../src/webhooks/samples';
import { HOOK_TRIGGERS } from '../triggers';

const WEBHOOK_SECRET = randomBytes(23).toString('hex');
const SCHOOL = 'https://demo-school.learnworlds.com';
const authData = { school_url: 'demo-school.learnworlds.com', client_id: 'demo-client', client_secret: 'demo-secret', webhook_secret: WEBHOOK_SECRET };
const appTester = createAppTester(App);
const trigger = (key: string): HookTriggerModule => {
  const found = HOOK_TRIGGERS.find((t) => t.spec.key === key);
  if (!found) throw new Error(`no trigger ${key}`);
  return found;
};

/** `node hub` as the operator runs it, on a temporary embedded database. */
async function startHub(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'hub')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/listening on (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the hub did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '', child };
}

interface Zap {
  name: string;
  trigger: HookTriggerModule;
  inputData: Record<string, string>;
  subscribeData?: { id: string };
  received: NormalisedItem[];
  dropped: number;
  off: boolean;
}

/** Zapier hands hook performs every header but Content-Type/Length as `Http-Camel-Case`. */
function zapierHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const camel = name
      .split('-')
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('-');
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
    {
      name: 'Zap A (course_completed, course "sample-course")',
      trigger: trigger('course_completed'),
      inputData: { course_id: 'sample-course' },
      received: [],
      dropped: 0,
      off: false,
    },
    { name: 'Zap B (any_event)', trigger: trigger('any_event'), inputData: {}, received: [], dropped: 0, off: false },
    { name: 'Zap C (user_tags_removed, tag "VIP")', trigger: trigger('user_tags_removed'), inputData: { tag: 'VIP' }, received: [], dropped: 0, off: false },
  ];

  // The stand-in for hooks.zapier.com: one path per Zap, running the trigger's perform.
  const zapier = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const zap = zaps[Number((req.url ?? '').split('/').pop())];
      const content = await readBody(req);
      if (!zap || zap.off) return res.writeHead(410).end();
      let cleaned: unknown = {};
      try {
        const parsed: unknown = JSON.parse(content);
        if (isJsonObject(parsed)) cleaned = { ...parsed, querystring: {} };
      } catch {
        // not JSON: the perform says so
      }
      try {
        const items = await appTester(zap.trigger.perform, {
          authData,
          inputData: zap.inputData,
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
  const hub = await startHub({
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_DATA_DIR: join(dataDir, 'db'),
    HUB_API_KEYS: apiKey,
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOWED_TARGETS: `http://127.0.0.1:${zapierPort}`,
    HUB_POLL_INTERVAL_MS: '20',
    LOG_LEVEL: 'error',
  });
  process.env.HUB_URL = hub.url;
  process.env.HUB_API_KEY = apiKey;
  const inboundUrl = `${hub.url}${HUB_PATHS.inbound}`;
  // LearnWorlds' API, for the connection test and the trigger tests' fallbacks.
  nock(SCHOOL)
    .persist()
    .get('/admin/api/v2/users')
    .query(true)
    .reply(200, { data: [], meta: { page: 1, totalPages: 1 } });
  console.log(`hub: \`node hub\` on ${hub.url} (embedded database in a temporary folder); Zapier stand-in on 127.0.0.1:${zapierPort}\n`);

  const post = async (body: string, signature: string) => {
    const response = await fetch(inboundUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', [HEADERS.signature]: signature }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const signature = signatureFor(WEBHOOK_SECRET);

  try {
    // 1. Connect.
    const connected = await appTester(testConnection, { authData });
    expect(connected.hub === 'registered', `the connection test did not register the school: ${connected.hub}`);
    console.log(`1. connect: the connection test passed for ${connected.school}; hub: ${connected.hub}`);

    // 2. Paste the URL into LearnWorlds; an event arrives before any Zap is on.
    const first = JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, school_id: 'first-event' });
    const early = await post(first, signature);
    expect(
      early.status === 202 && early.json.deliveries === 0,
      `a delivery before any Zap: ${early.status} ${JSON.stringify(early.json)}, expected 202 with 0 deliveries`,
    );
    console.log(`2. paste ${inboundUrl} into LearnWorlds: a course completion before any Zap → ${early.status} ${JSON.stringify(early.json)}`);

    // 3. Test the trigger: the real event, as the Zap will get it; another trigger shows its sample.
    const tested = await appTester(trigger('course_completed').performList, { authData, inputData: {} });
    expect(
      tested.length === 1 && tested[0]?.school_id === 'first-event',
      `course_completed test: expected the real event (school_id first-event), got ${tested.map((i) => String(i.school_id)).join(', ')}`,
    );
    const users = await appTester(trigger('user_updated').performList, { authData, inputData: {} });
    expect(
      users.length === 1 && users[0]?.id === sampleFor(trigger('user_updated').spec).id,
      'user_updated test: expected its sample (no real userUpdated yet), not the course completion',
    );
    console.log(
      `3. test trigger "Course Completed": the real event ${tested[0]?.id ?? '-'} (school_id ${String(tested[0]?.school_id)}); "New or Updated User" shows its sample\n`,
    );

    // 4. Turn two Zaps on and send everything.
    for (const [index, zap] of zaps.entries()) {
      const subscription = await appTester(zap.trigger.performSubscribe, {
        authData,
        inputData: zap.inputData,
        targetUrl: `http://127.0.0.1:${zapierPort}/hooks/${index}`,
      });
      zap.subscribeData = { id: subscription.id };
      console.log(`4. ${zap.name}: on, through performSubscribe → hub subscription ${subscription.id}`);
    }
    for (const type of LEARNWORLDS_EVENT_TYPES) {
      const answer = await post(JSON.stringify(VENDOR_PAYLOADS[type]), signature);
      expect(answer.status === 202, `${type}: the hub answered ${answer.status}, expected 202`);
    }
    const completion = VENDOR_PAYLOADS.courseCompleted;
    const otherCourse = { ...completion, data: { ...(isJsonObject(completion.data) ? completion.data : {}), course: { id: 'other-course', title: 'Other' } } };
    const other = await post(JSON.stringify(otherCourse), signature);
    expect(other.status === 202 && other.json.deliveries === 1, `another course's completion: ${JSON.stringify(other.json)}, expected 1 delivery (Zap B only)`);
    const forged = await post(JSON.stringify(VENDOR_PAYLOADS.courseCompleted), 'v1=forged-signature-000000000000000');
    expect(forged.status === 401, `forged delivery: the hub answered ${forged.status}, expected 401`);
    // LearnWorlds retrying the last delivery (no answer reached it): the same body as that user's last event.
    const repeat = await post(JSON.stringify(otherCourse), signature);
    expect(
      repeat.status === 200 && repeat.json.status === 'duplicate',
      `repeated delivery: the hub answered ${repeat.status} ${JSON.stringify(repeat.json)}, expected 200 duplicate`,
    );
    // A tag removed: LearnWorlds sends the tags that remain; the hub knows which one went.
    const tagged = (type: 'userTagAdded' | 'userTagDeleted', tags: string[]) =>
      JSON.stringify({
        ...VENDOR_PAYLOADS[type],
        data: { ...(isJsonObject(VENDOR_PAYLOADS[type].data) ? VENDOR_PAYLOADS[type].data : {}), id: 'demo-user', email: 'ada@example.com', tags },
      });
    const added = await post(tagged('userTagAdded', ['learner', 'VIP']), signature);
    const removed = await post(tagged('userTagDeleted', ['learner']), signature);
    expect(
      added.status === 202 && removed.status === 202 && removed.json.deliveries === 2,
      `tag added then removed: ${JSON.stringify([added.json, removed.json])}, expected the removal to reach Zaps B and C`,
    );
    console.log(
      `   demo-user: tags ["learner", "VIP"] (${added.status}), then LearnWorlds sends the tags that remain, ["learner"] (${removed.status}, ${String(removed.json.deliveries)} deliveries: Zap C's "VIP removed" matches)`,
    );
    console.log(
      `   sent: ${LEARNWORLDS_EVENT_TYPES.length} signed vendor examples (202 each); another course (${other.status}, ${String(other.json.deliveries)} delivery: the filtered Zap is not asked); 1 forged (${forged.status}); 1 repeat (${repeat.status} ${String(repeat.json.status)})\n`,
    );

    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      (zaps[0].received.length < 1 || zaps[1].received.length < LEARNWORLDS_EVENT_TYPES.length + 3 || zaps[2].received.length < 1)
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500)); // anything extra would arrive now

    for (const zap of zaps) {
      console.log(`${zap.name} received ${zap.received.length} item(s):`);
      for (const item of zap.received) {
        const list = (value: unknown) => (Array.isArray(value) ? value.map(asText).join(', ') : '');
        const change = list(item.tags_removed)
          ? `  tags removed: ${list(item.tags_removed)}`
          : list(item.tags_added)
            ? `  tags added: ${list(item.tags_added)}`
            : '';
        console.log(`  ${item.event_type.padEnd(32)} ${item.id}  user ${asText(item.user.email ?? '')} (${asText(item.user.full_name)})${change}`);
      }
    }
    const [a, b, c] = zaps as [Zap, Zap, Zap];
    expect(
      a.received.length === 1 && a.received[0]?.event_type === 'courseCompleted',
      `${a.name}: expected exactly one courseCompleted item, got ${a.received.map((i) => i.event_type).join(', ') || 'none'}`,
    );
    expect(a.dropped === 0, `${a.name}: the hub sent it ${a.dropped} delivery(ies) its perform had to drop`);
    const types = b.received.map((i) => i.event_type).sort();
    const expected = [...LEARNWORLDS_EVENT_TYPES, 'courseCompleted', 'userTagAdded', 'userTagDeleted'].sort();
    expect(
      JSON.stringify(types) === JSON.stringify(expected),
      `${b.name}: expected each of the 17 events once plus the other course and the two tag changes, got ${types.join(', ')}`,
    );
    const vip = c.received.map((i) => ({ user: i.user.id, removed: i.tags_removed }));
    expect(
      JSON.stringify(vip) === JSON.stringify([{ user: 'demo-user', removed: ['VIP'] }]),
      `${c.name}: expected exactly demo-user's VIP removal, got ${JSON.stringify(vip)}`,
    );
    expect(c.dropped === 0, `${c.name}: the hub sent it ${c.dropped} delivery(ies) its perform had to drop`);

    // 5. Turn the Zaps off.
    for (const zap of zaps) {
      const result = await appTester(zap.trigger.performUnsubscribe, { authData, subscribeData: zap.subscribeData });
      zap.off = true;
      expect(result.removed, `${zap.name}: performUnsubscribe did not remove the subscription`);
      console.log(`5. ${zap.name}: off, through performUnsubscribe (removed: ${String(result.removed)})`);
    }
    const after = await post(JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, school_id: 'after-unsubscribe' }), signature);
    expect(after.status === 202 && after.json.deliveries === 0, `after unsubscribing, the hub still fanned out: ${JSON.stringify(after.json)}`);
  } finally {
    nock.cleanAll();
    await new Promise<void>((resolve) => {
      if (hub.child.exitCode !== null) return resolve();
      hub.child.once('exit', () => resolve());
      hub.child.kill('SIGTERM');
    });
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
