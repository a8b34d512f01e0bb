/**
 * The Zap editor on real data, end to end through the app's own connection test, performList and
 * performSubscribe and a real hub, on both engines: a school registered at connect, a trigger
 * test showing the school's last real event of its type, and filters applied at the hub.
 */
import nock from 'nock';
import { HUB_PATHS, encodeHubFacts, isJsonObject } from '../contract';
import { VENDOR_PAYLOADS } from '../contract/payloads';
import { testConnection } from '../src/api/authentication';
import { eventId } from '../src/webhooks/normalise';
import { sampleFor } from '../src/webhooks/samples';
import { API_KEY, BACKENDS, deliver, runCleanups, subscribe, testHub, WEBHOOK_SECRET } from '../hub/test/helpers';
import { Receiver, appTester, forgetHub, hookTrigger, schoolApi, useHub, waitFor } from './harness';

const trigger = hookTrigger;
const SCHOOL = 'https://myschool.learnworlds.com';
const authData = { school_url: 'myschool.learnworlds.com', client_id: 'c', client_secret: 's', webhook_secret: `v1=${WEBHOOK_SECRET}`, sessionKey: 'token' };
const OTHER_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f';

// LearnWorlds' API for the connection test and the trigger tests' API fallbacks.
beforeEach(() => schoolApi(SCHOOL, ['users', 'payments']));
afterEach(async () => {
  nock.cleanAll();
  forgetHub();
  await runCleanups();
});

const withCourse = (id: string) => {
  const body = structuredClone(VENDOR_PAYLOADS.courseCompleted);
  if (isJsonObject(body.data)) body.data.course = { id, title: `Course ${id}` };
  return body;
};

describe.each(BACKENDS)('the Zap editor on real data (%s)', (backend) => {
  test('the connection test registers the school: a delivery before any Zap is accepted and stored', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted)).status).toBe(401);
    expect(await appTester(testConnection, { authData })).toEqual({ school: 'myschool.learnworlds.com', hub: 'registered' });
    expect(await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted)).toEqual({ status: 202, json: { status: 'accepted', deliveries: 0 } });
    // Registering again (the test runs often) changes nothing.
    expect((await appTester(testConnection, { authData })).hub).toBe('registered');
  });

  test("a trigger test shows the school's last real event of its type, through the live pipeline, never another type's", async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    await appTester(testConnection, { authData });
    const course = JSON.stringify(VENDOR_PAYLOADS.courseCompleted);
    const newer = JSON.stringify(withCourse('newer-course'));
    const user = JSON.stringify(VENDOR_PAYLOADS.userUpdated);
    for (const body of [course, user, newer]) expect((await deliver(hub.inboundUrl, body)).status).toBe(202);
    // Another school's events are never shown.
    await subscribe(hub.url, { event: '*', target_url: 'https://hooks.zapier.com/hooks/x/' }, API_KEY, OTHER_SECRET);
    await deliver(hub.inboundUrl, withCourse('elsewhere'), `v1=${OTHER_SECRET}`);

    const completed = await appTester(trigger('course_completed').performList, { authData, inputData: {} });
    const courses = (items: Array<Record<string, unknown>>) => items.map((i) => (isJsonObject(i.course) ? i.course.id : undefined));
    expect(courses(completed)).toEqual(['newer-course', 'sample-course']);
    // Exactly what the live perform makes of the same bytes and the same hub facts.
    const stored = (await hub.events.recent((await hub.tenants.keys())[0], 'courseCompleted', 3)).find((e) => e.body === course)!;
    expect(completed[1]).toEqual(
      (
        await appTester(trigger('course_completed').perform, {
          authData,
          inputData: {},
          cleanedRequest: JSON.parse(course),
          rawRequest: {
            method: 'POST',
            querystring: '',
            headers: { 'Http-Learnworlds-Webhook-Signature': `v1=${WEBHOOK_SECRET}`, 'Http-Learnworlds-Hub-Facts': encodeHubFacts(stored.facts) },
            content: course,
          },
          subscribeData: { id: `perform-${backend}` },
        })
      )[0],
    );
    expect(completed[1].id).toBe(eventId('courseCompleted', {}, course, stored.id));
    const filtered = await appTester(trigger('course_completed').performList, { authData, inputData: { course_id: 'sample-course' } });
    expect(courses(filtered)).toEqual(['sample-course']);
    const users = await appTester(trigger('user_updated').performList, { authData, inputData: {} });
    expect(users.map((i) => i.event_type)).toEqual(['userUpdated']);
    const any = await appTester(trigger('any_event').performList, { authData, inputData: {} });
    expect(any.map((i) => i.event_type)).toEqual(['courseCompleted', 'userUpdated', 'courseCompleted']);
    // No real event of this type yet: the API (here: no records), then the sample.
    const payments = await appTester(trigger('payment_created').performList, { authData, inputData: {} });
    expect(payments).toEqual([sampleFor(trigger('payment_created').spec)]);
  });

  test('filters decide the fan-out at the hub: a non-matching event creates no delivery and no request', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const receiver = await new Receiver().start();
    const zap = (key: string, path: string, inputData: Record<string, string>) =>
      appTester(trigger(key).performSubscribe, { authData, inputData, targetUrl: receiver.url(path) });
    await zap('course_completed', '/course-a', { course_id: ' Sample-Course ' });
    await zap('course_completed', '/any-course', {});
    await zap('user_tags_added', '/learner-tag', { tag: 'learner' });
    await zap('product_bought', '/webex', { product_id: 'webex' });

    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted)).json).toEqual({ status: 'accepted', deliveries: 2 });
    expect((await deliver(hub.inboundUrl, withCourse('other-course'))).json).toEqual({ status: 'accepted', deliveries: 1 });
    // The hub has never seen this user's tags: whether "learner" was just added is unknown, so no request.
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.userTagAdded)).json).toEqual({ status: 'accepted', deliveries: 0 });
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.productBought)).json).toEqual({ status: 'accepted', deliveries: 1 });
    await waitFor(() => receiver.requests.length === 4, 10000, 'four deliveries');
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/any-course', '/any-course', '/course-a', '/webex']);
    expect(receiver.to('/course-a')[0].body.toString()).toBe(JSON.stringify(VENDOR_PAYLOADS.courseCompleted));
  });
});

describe('registration and recent events: the contract', () => {
  test('PUT /v1/schools needs the API key and valid values; the events endpoint shows a school only its own', async () => {
    const { hub } = await testHub('embedded');
    const put = (body: Record<string, unknown>, key = API_KEY) =>
      fetch(`${hub.url}${HUB_PATHS.schools}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    expect((await put({ school_url: 'myschool.learnworlds.com', webhook_secret: WEBHOOK_SECRET }, 'wrong-key-0123456789')).status).toBe(401);
    expect((await put({ school_url: 'myschool.learnworlds.com', webhook_secret: 'short' })).status).toBe(400);
    expect((await put({ school_url: 'not a url', webhook_secret: WEBHOOK_SECRET })).status).toBe(400);
    const ok = await put({ school_url: 'https://MySchool.learnworlds.com/admin/api/v2', webhook_secret: `v1=${WEBHOOK_SECRET}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ school: 'myschool.learnworlds.com', inbound_path: '/v1/learnworlds/webhooks' });
    await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted);

    const events = (secret: string | null, query = 'event=courseCompleted', key = API_KEY) =>
      fetch(`${hub.url}${HUB_PATHS.events}?${query}`, {
        headers: { Authorization: `Bearer ${key}`, ...(secret === null ? {} : { 'X-Webhook-Secret': secret }) },
      });
    const mine = await events(WEBHOOK_SECRET);
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { data: Array<Record<string, unknown>> };
    expect(body.data).toEqual([
      {
        id: expect.any(String),
        event_type: 'courseCompleted',
        received_at: expect.any(String),
        body: JSON.stringify(VENDOR_PAYLOADS.courseCompleted),
        facts: { event_id: body.data[0].id, received_at: body.data[0].received_at },
      },
    ]);
    expect(await (await events(OTHER_SECRET)).json()).toEqual({ data: [] });
    expect((await events(null)).status).toBe(400);
    expect((await events(WEBHOOK_SECRET, 'event=courseCompleted', 'wrong-key-0123456789')).status).toBe(401);
    for (const bad of ['event=nope', 'event=courseCompleted&limit=11', 'event=courseCompleted&limit=0', ''])
      expect({ bad, status: (await events(WEBHOOK_SECRET, bad)).status }).toEqual({ bad, status: 400 });
  });

  test('a hub that is not configured or not reachable never fails the connection test', async () => {
    expect((await appTester(testConnection, { authData })).hub).toBe('hub not configured');
    useHub('http://127.0.0.1:9', API_KEY);
    expect((await appTester(testConnection, { authData })).hub).toMatch(/^hub unavailable \(/);
    const { hub } = await testHub('embedded');
    useHub(hub.url, 'wrong-key-0123456789');
    expect((await appTester(testConnection, { authData })).hub).toMatch(/^hub unavailable \(/);
  });

  test("a hub refusing the school's own values fails the connection test with its reason", async () => {
    useHub('https://hub.example.com', API_KEY);
    nock('https://hub.example.com').put('/v1/schools').reply(400, { error: 'invalid_request', message: 'school_url: "x" is not a school domain.' });
    await expect(appTester(testConnection, { authData })).rejects.toThrow(/The subscription hub refused this connection: school_url/);
  });
});
