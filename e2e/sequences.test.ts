/**
 * Triggers that tell the truth on real sequences of events, end to end on both engines: the
 * hub (tag state, repeats, hub facts, filters at the fan-out) and the app's own
 * performSubscribe, perform and performList, every forwarded request run through the Zap's
 * perform as Zapier would.
 */
import nock from 'nock';
import { type JsonObject, decodeHubFacts, isJsonObject, tagChange } from '../contract';
import { VENDOR_PAYLOADS } from '../contract/payloads';
import { testConnection } from '../src/api/authentication';
import { evaluateBody } from '../src/webhooks/hook-perform';
import type { NormalisedItem } from '../src/webhooks/normalise';
import { API_KEY, BACKENDS, count, deliver, hubEnv, runCleanups, testHub, WEBHOOK_SECRET } from '../hub/test/helpers';
import { HOOK_TRIGGERS } from '../triggers';
import { HubProcess, Receiver, appTester, forgetHub, hookTrigger, jsonBodyOf, schoolApi, useHub, waitFor, zapierHook } from './harness';

const trigger = hookTrigger;
const authData = { school_url: 'myschool.learnworlds.com', client_id: 'c', client_secret: 's', webhook_secret: `v1=${WEBHOOK_SECRET}`, sessionKey: 'token' };
const USER = 'user-0001';

// LearnWorlds' API, for the connection test.
beforeEach(() => schoolApi('https://myschool.learnworlds.com'));
afterEach(async () => {
  nock.cleanAll();
  forgetHub();
  await runCleanups();
});

/** A tag event for one user, from the vendor example: the user's whole tag list after the change. */
function tagEvent(type: 'userTagAdded' | 'userTagDeleted', tags: string[], user = USER): string {
  const body = structuredClone(VENDOR_PAYLOADS[type]);
  if (isJsonObject(body.data)) Object.assign(body.data, { id: user, tags });
  return JSON.stringify(body);
}

interface Zap {
  name: string;
  key: string;
  inputData: Record<string, unknown>;
  id: string;
  path: string;
}

/** Zaps turned on through the app's own performSubscribe, each on its own receiver path. */
async function turnOn(receiver: Receiver, zaps: Array<{ name: string; key: string; inputData: Record<string, unknown> }>): Promise<Map<string, Zap>> {
  const on = new Map<string, Zap>();
  for (const zap of zaps) {
    const path = `/hooks/${zap.name}`;
    const subscription = await appTester(trigger(zap.key).performSubscribe, { authData, inputData: zap.inputData, targetUrl: receiver.url(path) });
    on.set(zap.name, { ...zap, id: subscription.id, path });
  }
  return on;
}

/** What each Zap's perform made of what the hub sent it, in the hub's commit order (its event ids). */
async function itemsOf(receiver: Receiver, zap: Zap): Promise<NormalisedItem[]> {
  const requests = receiver.to(zap.path).map((r) => ({ r, order: Number(decodeHubFacts(r.headers['learnworlds-hub-facts'] as string)?.event_id) }));
  requests.sort((a, b) => a.order - b.order);
  const items: NormalisedItem[] = [];
  for (const { r } of requests) {
    items.push(...(await appTester(trigger(zap.key).perform, { authData, inputData: zap.inputData, subscribeData: { id: zap.id }, ...zapierHook(r) })));
  }
  return items;
}

const change = (item: NormalisedItem) => ({ added: item.tags_added, removed: item.tags_removed, known: item.tags_change_known });

describe.each(BACKENDS)('sequences of events, end to end (%s)', (backend) => {
  test('tag added, removed, added again, another added, another removed, the first removed: every Zap gets exactly its changes', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zaps = await turnOn(receiver, [
      { name: 'added-any', key: 'user_tags_added', inputData: {} },
      { name: 'added-vip', key: 'user_tags_added', inputData: { tag: 'vip' } },
      { name: 'added-gold', key: 'user_tags_added', inputData: { tag: ' GOLD ' } },
      { name: 'removed-any', key: 'user_tags_removed', inputData: {} },
      { name: 'removed-vip', key: 'user_tags_removed', inputData: { tag: 'VIP' } },
      { name: 'removed-gold', key: 'user_tags_removed', inputData: { tag: 'gold' } },
    ]);
    const sequence: Array<[string, number]> = [
      [tagEvent('userTagAdded', ['hi', 'vip']), 1], // first sight: change unknown, only the unfiltered Zap
      [tagEvent('userTagDeleted', ['hi']), 2], // vip removed
      [tagEvent('userTagAdded', ['hi', 'vip']), 2], // vip added again: the same bytes as the first, a new event
      [tagEvent('userTagAdded', ['hi', 'vip']), -1], // an immediate identical repeat: LearnWorlds' retry
      [tagEvent('userTagAdded', ['hi', 'vip', 'Gold']), 2], // Gold added
      [tagEvent('userTagDeleted', ['hi', 'vip']), 2], // Gold removed
      [tagEvent('userTagDeleted', ['hi']), 2], // vip removed
    ];
    for (const [body, deliveries] of sequence) {
      const answer = await deliver(hub.inboundUrl, body);
      expect(answer).toEqual(deliveries < 0 ? { status: 200, json: { status: 'duplicate' } } : { status: 202, json: { status: 'accepted', deliveries } });
    }
    await waitFor(async () => (await count(hub, 'deliveries', "status = 'delivered'")) === 11, 45000, 'eleven deliveries');
    expect(await count(hub, 'deliveries')).toBe(11);

    // Each Zap's perform runs once per delivery (a second run would be its own dedupe at work).
    const items = new Map<string, NormalisedItem[]>();
    for (const [name, zap] of zaps) items.set(name, await itemsOf(receiver, zap));
    const got = (name: string) => items.get(name)!.map(change);
    expect(got('added-any')).toEqual([
      { added: [], removed: [], known: false },
      { added: ['vip'], removed: [], known: true },
      { added: ['Gold'], removed: [], known: true },
    ]);
    expect(got('added-vip')).toEqual([{ added: ['vip'], removed: [], known: true }]);
    expect(got('added-gold')).toEqual([{ added: ['Gold'], removed: [], known: true }]);
    expect(got('removed-any')).toEqual([
      { added: [], removed: ['vip'], known: true },
      { added: [], removed: ['Gold'], known: true },
      { added: [], removed: ['vip'], known: true },
    ]);
    expect(got('removed-vip')).toEqual([
      { added: [], removed: ['vip'], known: true },
      { added: [], removed: ['vip'], known: true },
    ]);
    expect(got('removed-gold')).toEqual([{ added: [], removed: ['Gold'], known: true }]);
    // The first "added" and the "added again" carry the same bytes but are two events with two ids.
    const [first, again] = items.get('added-any')!;
    expect(first.id).not.toBe(again.id);

    // The trigger test shows the same fields, from the hub's recent events, filter applied.
    const tested = await appTester(trigger('user_tags_removed').performList, { authData, inputData: { tag: 'vip' } });
    expect(tested.map(change)).toEqual([
      { added: [], removed: ['vip'], known: true },
      { added: [], removed: ['vip'], known: true },
    ]);
    expect(tested.map((i) => i.tags)).toEqual([['hi'], ['hi']]);
  });

  test('the tag state comes from every event that carries the tags, and each user has their own', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zaps = await turnOn(receiver, [{ name: 'added-vip', key: 'user_tags_added', inputData: { tag: 'vip' } }]);
    // A purchase tells the hub this user's tags; another user's tags never count for them.
    const bought = structuredClone<JsonObject>(VENDOR_PAYLOADS.productBought);
    Object.assign((bought.data as JsonObject).user as JsonObject, { id: USER, tags: ['vip'] });
    expect((await deliver(hub.inboundUrl, bought)).status).toBe(202);
    expect((await deliver(hub.inboundUrl, tagEvent('userTagAdded', ['buyer'], 'someone-else'))).status).toBe(202);
    // vip was there before (the purchase said so): adding "learner" is not "vip added".
    expect((await deliver(hub.inboundUrl, tagEvent('userTagAdded', ['vip', 'learner']))).json).toEqual({ status: 'accepted', deliveries: 0 });
    expect((await deliver(hub.inboundUrl, tagEvent('userTagAdded', ['vip', 'buyer'], 'someone-else'))).json).toEqual({ status: 'accepted', deliveries: 1 });
    await waitFor(() => receiver.to('/hooks/added-vip').length === 1, 45000, "the other user's vip");
    const [item] = await itemsOf(receiver, zaps.get('added-vip')!);
    expect(item).toMatchObject({ user: { id: 'someone-else' }, tags_added: ['vip'] });
  });

  test('a repeat is a retry only while nothing else arrived for the user: another user in between does not count', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    await appTester(testConnection, { authData });
    const tag = tagEvent('userTagAdded', ['a']);
    expect((await deliver(hub.inboundUrl, tag)).status).toBe(202);
    expect((await deliver(hub.inboundUrl, tagEvent('userTagAdded', ['b'], 'other-user'))).status).toBe(202);
    expect((await deliver(hub.inboundUrl, tag)).json).toEqual({ status: 'duplicate' });
    // Events without a user (leads) are judged against the school's last such event.
    const lead = JSON.stringify(VENDOR_PAYLOADS.leadCreated);
    const otherLead = JSON.stringify({ ...VENDOR_PAYLOADS.leadCreated, data: { ...(VENDOR_PAYLOADS.leadCreated.data as JsonObject), email: 'b@example.com' } });
    expect((await deliver(hub.inboundUrl, lead)).status).toBe(202);
    expect((await deliver(hub.inboundUrl, lead)).json).toEqual({ status: 'duplicate' });
    expect((await deliver(hub.inboundUrl, otherLead)).status).toBe(202);
    expect((await deliver(hub.inboundUrl, lead)).status).toBe(202);
    // Concurrent identical retries (one batch, or racing batches) are still one event.
    const burst = await Promise.all(Array.from({ length: 6 }, () => deliver(hub.inboundUrl, tagEvent('userTagAdded', ['a', 'c']))));
    expect(burst.map((b) => b.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
    expect(await count(hub, 'events')).toBe(6);
  });

  test('Subscription Updated: Product is the plan after the change, Previous Product the plan before', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zaps = await turnOn(receiver, [
      { name: 'to-premium', key: 'subscription_updated', inputData: { product_id: 'premium' } },
      { name: 'from-premium', key: 'subscription_updated', inputData: { previous_product_id: 'premium' } },
    ]);
    const switchPlan = (from: string, to: string) => {
      const body = structuredClone<JsonObject>(VENDOR_PAYLOADS.subscriptionUpdated);
      const data = body.data as JsonObject;
      (data.plan as JsonObject).id = from;
      (data.new_plan as JsonObject).id = to;
      return body;
    };
    expect((await deliver(hub.inboundUrl, switchPlan('basic', 'premium'))).json).toEqual({ status: 'accepted', deliveries: 1 });
    expect((await deliver(hub.inboundUrl, switchPlan('premium', 'basic'))).json).toEqual({ status: 'accepted', deliveries: 1 });
    await waitFor(() => receiver.requests.length === 2, 45000, 'two deliveries');
    const up = await itemsOf(receiver, zaps.get('to-premium')!);
    const down = await itemsOf(receiver, zaps.get('from-premium')!);
    expect(up.map((i) => [(i.plan as JsonObject).id, (i.new_plan as JsonObject).id])).toEqual([['basic', 'premium']]);
    expect(down.map((i) => [(i.plan as JsonObject).id, (i.new_plan as JsonObject).id])).toEqual([['premium', 'basic']]);
  });

  test('Payment Origin tells an admin grant from a paid purchase, at the hub and in the perform', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zaps = await turnOn(receiver, [
      { name: 'paid', key: 'product_bought', inputData: { payment_origin: 'paid' } },
      { name: 'grants', key: 'product_bought', inputData: { payment_origin: 'manual_grant' } },
      { name: 'any', key: 'product_bought', inputData: { payment_origin: 'any' } },
      { name: 'payments-paid', key: 'payment_created', inputData: { payment_origin: 'paid' } },
    ]);
    const grant = VENDOR_PAYLOADS.productBought; // "Added by admin", no gateway
    const paid = structuredClone<JsonObject>(grant);
    Object.assign((paid.data as JsonObject).payment as JsonObject, { id: 'pay-2', gateway: 'stripe', transaction_id: 'ch_3Mz' });
    expect((await deliver(hub.inboundUrl, grant)).json).toEqual({ status: 'accepted', deliveries: 2 });
    expect((await deliver(hub.inboundUrl, paid)).json).toEqual({ status: 'accepted', deliveries: 2 });
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.paymentCreated)).json).toEqual({ status: 'accepted', deliveries: 0 });
    await waitFor(() => receiver.requests.length === 4, 45000, 'four deliveries');
    const grants = (name: string) => itemsOf(receiver, zaps.get(name)!).then((items) => items.map((i) => i.is_manual_grant));
    expect(await grants('paid')).toEqual([false]);
    expect(await grants('grants')).toEqual([true]);
    expect(await grants('any')).toEqual([true, false]);
    expect(await grants('payments-paid')).toEqual([]);
  });

  test("Only New Users: a registration within the hour runs the Zap, an old user's edit does not", async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zaps = await turnOn(receiver, [
      { name: 'new', key: 'user_updated', inputData: { only_new_users: true } },
      { name: 'all', key: 'user_updated', inputData: { only_new_users: 'false' } },
    ]);
    const registered = (secondsAgo: number, id: string) => {
      const body = structuredClone<JsonObject>(VENDOR_PAYLOADS.userUpdated);
      Object.assign((body.data as JsonObject).user as JsonObject, { id, created: Date.now() / 1000 - secondsAgo });
      return body;
    };
    expect((await deliver(hub.inboundUrl, registered(120, 'fresh'))).json).toEqual({ status: 'accepted', deliveries: 2 });
    expect((await deliver(hub.inboundUrl, registered(3 * 24 * 3600, 'old'))).json).toEqual({ status: 'accepted', deliveries: 1 });
    await waitFor(() => receiver.requests.length === 3, 45000, 'three deliveries');
    const users = (name: string) => itemsOf(receiver, zaps.get(name)!).then((items) => items.map((i) => [i.user.id, i.is_new_user]));
    expect(await users('new')).toEqual([['fresh', true]]);
    expect(await users('all')).toEqual([
      ['fresh', true],
      ['old', false],
    ]);
  });

  test('the hub and the perform agree on every filter, for every vendor example and the hub facts of a tag sequence', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    // The vendor examples in order; the tag examples are one user's sequence, so their change is known.
    const bodies = Object.values(VENDOR_PAYLOADS).map((p) => JSON.stringify(p));
    const candidates: Record<string, string[]> = {
      course_id: ['SAMPLE-COURSE', 'no-such-course'],
      learning_program_id: [],
      product_id: ['chrys-sub-new', 'chrys-adope-trial', 'no-such-product'],
      previous_product_id: ['chrys-adope-trial', 'chrys-sub-new'],
      tag: ['hi', 'new', 'LEARNER', 'no-such-tag'],
      payment_origin: ['paid', 'manual_grant'],
      only_new_users: ['true'],
    };
    for (const type of Object.keys(VENDOR_PAYLOADS)) {
      const data = VENDOR_PAYLOADS[type as keyof typeof VENDOR_PAYLOADS].data;
      const course = isJsonObject(data) && isJsonObject(data.course) ? data.course.id : undefined;
      const program = isJsonObject(data) && isJsonObject(data.learningProgram) ? data.learningProgram.id : undefined;
      if (typeof course === 'string') candidates.course_id.push(course.toUpperCase());
      if (typeof program === 'string') candidates.learning_program_id.push(program, 'no-such-program');
    }
    const cases: Array<{ name: string; key: string; inputData: Record<string, unknown> }> = [];
    for (const module of HOOK_TRIGGERS) {
      const inputs = (module.trigger.operation.inputFields as Array<{ key: string }>).map((f) => f.key).filter((k) => k in candidates);
      for (const input of inputs)
        for (const [n, value] of candidates[input].entries())
          cases.push({ name: `${module.spec.key}-${input}-${n}`, key: module.spec.key, inputData: { [input]: value } });
    }
    const zaps = await turnOn(receiver, cases);
    let fannedOut = 0;
    for (const body of bodies) fannedOut += Number((await deliver(hub.inboundUrl, body)).json.deliveries);
    await waitFor(async () => (await count(hub, 'deliveries', "status = 'delivered'")) === fannedOut, 45000, 'every delivery');
    expect(await count(hub, 'deliveries')).toBe(fannedOut);

    // The Zap's own filter check, on each event of its type exactly as the hub stored it (with its facts), agrees with the fan-out.
    const [tenantKey] = await hub.tenants.keys();
    let agreed = 0;
    let quiet = 0;
    for (const zap of zaps.values()) {
      const type = trigger(zap.key).spec.type;
      const stored = await hub.events.recent(tenantKey, type, 10);
      const wanted = new Set<string>();
      for (const event of stored) {
        if (evaluateBody(trigger(zap.key).spec, { raw: event.body }, zap.inputData, event.facts).kind === 'item') wanted.add(event.id);
      }
      const sent = new Set(receiver.to(zap.path).map((r) => decodeHubFacts(r.headers['learnworlds-hub-facts'] as string)!.event_id));
      expect({ zap: zap.name, sent: [...sent].sort() }).toEqual({ zap: zap.name, sent: [...wanted].sort() });
      agreed += wanted.size;
      if (wanted.size === 0) quiet += 1;
    }
    // The cases cover both outcomes, hub facts included.
    expect(agreed).toBeGreaterThan(10);
    expect(quiet).toBeGreaterThan(10);
    expect(receiver.to('/hooks/user_tags_removed-tag-1').length + receiver.to('/hooks/user_tags_removed-tag-2').length).toBe(2);
    expect(receiver.to('/hooks/user_tags_added-tag-0')).toHaveLength(0);
  });
});

describe('two hub processes on PostgreSQL', () => {
  const pg = BACKENDS.includes('postgres') ? test : test.skip;
  pg('keep one correct tag state for a user whose events reach them alternately and concurrently', async () => {
    const env = await hubEnv('postgres', { HUB_WORKER: 'off' });
    const a = await new HubProcess(env).start();
    const b = await new HubProcess(env).start();
    const { hub } = await testHub('postgres', { DATABASE_URL: env.DATABASE_URL, HUB_WORKER: 'off' });
    await fetch(`${a.url}/v1/schools`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ school_url: 'myschool.learnworlds.com', webhook_secret: WEBHOOK_SECRET }),
    });
    await waitFor(
      async () => (await deliver(`${b.url}/v1/learnworlds/webhooks`, tagEvent('userTagAdded', ['seed'], 'warm-up'))).status === 202,
      15000,
      'process b to know the school',
    );
    // Alternately, one after the other.
    const lists = [['a'], ['a', 'b'], ['b'], ['b', 'c', 'd'], ['d'], []];
    for (const [n, tags] of lists.entries()) {
      const url = `${n % 2 === 0 ? a.url : b.url}/v1/learnworlds/webhooks`;
      expect((await deliver(url, tagEvent(n % 2 === 0 ? 'userTagAdded' : 'userTagDeleted', tags))).status).toBe(202);
    }
    // Then 40 at once, half to each process.
    const pool = ['p', 'q', 'r', 's', 't'];
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => {
        const tags = pool.filter((_, i) => ((n * 7 + 3) >> i) % 2 === 1);
        return deliver(`${n % 2 === 0 ? a.url : b.url}/v1/learnworlds/webhooks`, tagEvent('userTagAdded', [...tags, `n${n}`]));
      }),
    );
    // In commit order, every event's change is exactly the difference from the one before it.
    const { rows } = await hub.db.query<{ body: Uint8Array; facts: JsonObject }>(
      `SELECT body, facts FROM events WHERE convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'id' = $1 ORDER BY id`,
      [USER],
    );
    expect(rows).toHaveLength(46);
    let before: string[] | undefined;
    for (const row of rows) {
      const data = jsonBodyOf(row.body).data;
      const tags = isJsonObject(data) && Array.isArray(data.tags) ? data.tags.filter((t): t is string => typeof t === 'string') : [];
      const expected =
        before === undefined
          ? { tags_added: [], tags_removed: [], tags_change_known: false }
          : { tags_added: tagChange(before, tags).added, tags_removed: tagChange(before, tags).removed, tags_change_known: true };
      expect(row.facts).toEqual(expected);
      before = tags;
    }
    const { rows: state } = await hub.db.query<{ tags: string[] }>('SELECT tags FROM user_tags WHERE user_id = $1', [USER]);
    expect(state).toEqual([{ tags: before }]);
  });
});
