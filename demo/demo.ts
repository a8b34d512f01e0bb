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
 * Exits non-zero on the first difference. It runs on the e2e tests' harness (e2e/harness.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { HEADERS, HUB_PATHS, LEARNWORLDS_EVENT_TYPES, asText, isJsonObject, signatureFor } from '../contract';
import { VENDOR_PAYLOADS } from '../contract/payloads';
import { testConnection } from '../src/api/authentication';
import type { HookTriggerModule } from '../src/webhooks/hook-trigger';
import type { NormalisedItem } from '../src/webhooks/normalise';
import { sampleFor } from '../src/webhooks/samples';
import { HubProcess, Receiver, appTester, atCleanup, hookTrigger as trigger, runCleanups, schoolApi, useHub, waitFor, zapierHook } from '../e2e/harness';

const WEBHOOK_SECRET = randomBytes(23).toString('hex');
const SCHOOL = 'https://demo-school.learnworlds.com';
const authData = { school_url: 'demo-school.learnworlds.com', client_id: 'demo-client', client_secret: 'demo-secret', webhook_secret: WEBHOOK_SECRET };
const check: (ok: boolean, what: string) => asserts ok = (ok, what) => assert.ok(ok, what);

interface Zap {
  name: string;
  trigger: HookTriggerModule;
  inputData: Record<string, string>;
  subscribeData?: { id: string };
  off: boolean;
}

/** What a Zap's perform made of every request the hub sent to it, as Zapier would run it. */
async function performed(zap: Zap, zapier: Receiver, path: string): Promise<{ items: NormalisedItem[]; dropped: number }> {
  const items: NormalisedItem[] = [];
  let dropped = 0;
  for (const request of zapier.to(path)) {
    const got = await appTester(zap.trigger.perform, { authData, inputData: zap.inputData, subscribeData: zap.subscribeData, ...zapierHook(request) });
    items.push(...got);
    if (got.length === 0) dropped += 1;
  }
  return { items, dropped };
}

async function main(): Promise<void> {
  const zaps: Zap[] = [
    { name: 'Zap A (course_completed, course "sample-course")', trigger: trigger('course_completed'), inputData: { course_id: 'sample-course' }, off: false },
    { name: 'Zap B (any_event)', trigger: trigger('any_event'), inputData: {}, off: false },
    { name: 'Zap C (user_tags_removed, tag "VIP")', trigger: trigger('user_tags_removed'), inputData: { tag: 'VIP' }, off: false },
  ];
  // The stand-in for hooks.zapier.com: one path per Zap; a Zap turned off answers 410, as Zapier does.
  const zapier = await new Receiver((request) => (zaps[Number(request.path.split('/').pop())]?.off === false ? 200 : 410)).start();

  const dataDir = mkdtempSync(join(tmpdir(), 'lw-hub-demo-'));
  atCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const apiKey = randomBytes(16).toString('hex');
  const hub = await new HubProcess({
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_DATA_DIR: join(dataDir, 'db'),
    HUB_API_KEYS: apiKey,
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOWED_TARGETS: `http://127.0.0.1:${zapier.port}`,
    HUB_POLL_INTERVAL_MS: '20',
    HUB_QUEUE_DEPTH_INTERVAL_MS: '100',
    LOG_LEVEL: 'error',
  }).start();
  atCleanup(() => hub.kill('SIGTERM')); // before the folder goes: the hub drains and closes its database
  useHub(hub.url, apiKey);
  const inboundUrl = `${hub.url}${HUB_PATHS.inbound}`;
  // LearnWorlds' API, for the connection test and the trigger tests' fallbacks.
  schoolApi(SCHOOL);
  atCleanup(() => nock.cleanAll());
  console.log(`hub: \`node hub\` on ${hub.url} (embedded database in a temporary folder); Zapier stand-in on 127.0.0.1:${zapier.port}\n`);

  const post = async (body: string, signature: string) => {
    const response = await fetch(inboundUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', [HEADERS.signature]: signature }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const signature = signatureFor(WEBHOOK_SECRET);

  // 1. Connect.
  const connected = await appTester(testConnection, { authData });
  check(connected.hub === 'registered', `the connection test did not register the school: ${connected.hub}`);
  console.log(`1. connect: the connection test passed for ${connected.school}; hub: ${connected.hub}`);

  // 2. Paste the URL into LearnWorlds; an event arrives before any Zap is on.
  const first = JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, school_id: 'first-event' });
  const early = await post(first, signature);
  check(
    early.status === 202 && early.json.deliveries === 0,
    `a delivery before any Zap: ${early.status} ${JSON.stringify(early.json)}, expected 202 with 0 deliveries`,
  );
  console.log(`2. paste ${inboundUrl} into LearnWorlds: a course completion before any Zap → ${early.status} ${JSON.stringify(early.json)}`);

  // 3. Test the trigger: the real event, as the Zap will get it; another trigger shows its sample.
  const tested = await appTester(trigger('course_completed').performList, { authData, inputData: {} });
  check(
    tested.length === 1 && tested[0]?.school_id === 'first-event',
    `course_completed test: expected the real event (school_id first-event), got ${tested.map((i) => String(i.school_id)).join(', ')}`,
  );
  const users = await appTester(trigger('user_updated').performList, { authData, inputData: {} });
  check(
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
      targetUrl: zapier.url(`/hooks/${index}`),
    });
    zap.subscribeData = { id: subscription.id };
    console.log(`4. ${zap.name}: on, through performSubscribe → hub subscription ${subscription.id}`);
  }
  for (const type of LEARNWORLDS_EVENT_TYPES) {
    const answer = await post(JSON.stringify(VENDOR_PAYLOADS[type]), signature);
    check(answer.status === 202, `${type}: the hub answered ${answer.status}, expected 202`);
  }
  const completion = VENDOR_PAYLOADS.courseCompleted;
  const otherCourse = { ...completion, data: { ...(isJsonObject(completion.data) ? completion.data : {}), course: { id: 'other-course', title: 'Other' } } };
  const other = await post(JSON.stringify(otherCourse), signature);
  check(other.status === 202 && other.json.deliveries === 1, `another course's completion: ${JSON.stringify(other.json)}, expected 1 delivery (Zap B only)`);
  const forged = await post(JSON.stringify(VENDOR_PAYLOADS.courseCompleted), 'v1=forged-signature-000000000000000');
  check(forged.status === 401, `forged delivery: the hub answered ${forged.status}, expected 401`);
  // LearnWorlds retrying the last delivery (no answer reached it): the same body as that user's last event.
  const repeat = await post(JSON.stringify(otherCourse), signature);
  check(
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
  check(
    added.status === 202 && removed.status === 202 && removed.json.deliveries === 2,
    `tag added then removed: ${JSON.stringify([added.json, removed.json])}, expected the removal to reach Zaps B and C`,
  );
  console.log(
    `   demo-user: tags ["learner", "VIP"] (${added.status}), then LearnWorlds sends the tags that remain, ["learner"] (${removed.status}, ${String(removed.json.deliveries)} deliveries: Zap C's "VIP removed" matches)`,
  );
  console.log(
    `   sent: ${LEARNWORLDS_EVENT_TYPES.length} signed vendor examples (202 each); another course (${other.status}, ${String(other.json.deliveries)} delivery: the filtered Zap is not asked); 1 forged (${forged.status}); 1 repeat (${repeat.status} ${String(repeat.json.status)})\n`,
  );

  // Every delivery made: the Zaps got their requests and the hub's queue is empty.
  const expectedRequests = [1, LEARNWORLDS_EVENT_TYPES.length + 3, 1];
  const queueEmpty = async () => /^hub_queue_depth 0$/m.test(await (await fetch(`${hub.url}/metrics`)).text());
  await waitFor(
    async () => zaps.every((_zap, index) => zapier.to(`/hooks/${index}`).length >= expectedRequests[index]) && (await queueEmpty()),
    30_000,
    'every Zap to receive its deliveries',
  );
  const [a, b, c] = await Promise.all(zaps.map((zap, index) => performed(zap, zapier, `/hooks/${index}`)));
  for (const [index, zap] of zaps.entries()) {
    const { items } = [a, b, c][index];
    console.log(`${zap.name} received ${items.length} item(s):`);
    for (const item of items) {
      const list = (value: unknown) => (Array.isArray(value) ? value.map(asText).join(', ') : '');
      const change = list(item.tags_removed)
        ? `  tags removed: ${list(item.tags_removed)}`
        : list(item.tags_added)
          ? `  tags added: ${list(item.tags_added)}`
          : '';
      console.log(`  ${item.event_type.padEnd(32)} ${item.id}  user ${asText(item.user.email ?? '')} (${asText(item.user.full_name)})${change}`);
    }
  }
  check(
    a.items.length === 1 && a.items[0]?.event_type === 'courseCompleted',
    `${zaps[0].name}: expected exactly one courseCompleted item, got ${a.items.map((i) => i.event_type).join(', ') || 'none'}`,
  );
  check(a.dropped === 0, `${zaps[0].name}: the hub sent it ${a.dropped} delivery(ies) its perform had to drop`);
  const types = b.items.map((i) => i.event_type).sort();
  const expected = [...LEARNWORLDS_EVENT_TYPES, 'courseCompleted', 'userTagAdded', 'userTagDeleted'].sort();
  check(
    JSON.stringify(types) === JSON.stringify(expected),
    `${zaps[1].name}: expected each of the 17 events once plus the other course and the two tag changes, got ${types.join(', ')}`,
  );
  const vip = c.items.map((i) => ({ user: i.user.id, removed: i.tags_removed }));
  check(
    JSON.stringify(vip) === JSON.stringify([{ user: 'demo-user', removed: ['VIP'] }]),
    `${zaps[2].name}: expected exactly demo-user's VIP removal, got ${JSON.stringify(vip)}`,
  );
  check(c.dropped === 0, `${zaps[2].name}: the hub sent it ${c.dropped} delivery(ies) its perform had to drop`);

  // 5. Turn the Zaps off.
  for (const zap of zaps) {
    const result = await appTester(zap.trigger.performUnsubscribe, { authData, subscribeData: zap.subscribeData });
    zap.off = true;
    check(result.removed, `${zap.name}: performUnsubscribe did not remove the subscription`);
    console.log(`5. ${zap.name}: off, through performUnsubscribe (removed: ${String(result.removed)})`);
  }
  const after = await post(JSON.stringify({ ...VENDOR_PAYLOADS.courseCompleted, school_id: 'after-unsubscribe' }), signature);
  check(after.status === 202 && after.json.deliveries === 0, `after unsubscribing, the hub still fanned out: ${JSON.stringify(after.json)}`);
  console.log('\ndemo passed: every Zap received exactly what it should');
}

void main()
  .then(
    () => 0,
    (error: unknown) => {
      console.error(`\nDEMO FAILED: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    },
  )
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  });
