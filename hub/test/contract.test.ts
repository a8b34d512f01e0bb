import { LEARNWORLDS_EVENT_TYPES } from '../../contract';
import { VENDOR_PAYLOADS } from '../../contract/payloads';
import {
  API_KEY,
  BACKENDS,
  HUB_SECRET_KEY,
  Receiver,
  SIGNATURE,
  WEBHOOK_SECRET,
  count,
  deliver,
  runCleanups,
  subscribe,
  testHub,
  unsubscribe,
  waitFor,
} from './helpers';

afterEach(runCleanups);

const courseCompleted = VENDOR_PAYLOADS.courseCompleted;

describe.each(BACKENDS)('hub contract on %s', (backend) => {
  test('inbound: missing, unknown or unprefixed signature → 401, nothing stored', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    expect((await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') })).status).toBe(201);
    for (const signature of [null, 'v1=wrong-secret', WEBHOOK_SECRET, `x v1=${WEBHOOK_SECRET}`, 'v1=']) {
      const answer = await deliver(hub.inboundUrl, courseCompleted, signature);
      expect({ signature, status: answer.status }).toEqual({ signature, status: 401 });
    }
    expect(await count(hub, 'events')).toBe(0);
    expect(await count(hub, 'deliveries')).toBe(0);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/hub_inbound_rejected_total\{reason="signature"\} 5/);
  });

  test('inbound: malformed bodies → 400 with a specific message; oversize → 413; nothing stored', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    const cases: Array<[string, string]> = [
      ['', 'the body is empty'],
      ['{"type": nope', 'the body is not valid JSON'],
      ['[1,2]', 'the body must be a JSON object'],
      ['"text"', 'the body must be a JSON object'],
      ['{"version":2,"data":{}}', 'the body has no "type"'],
      ['{"type":"","data":{}}', 'the body has no "type"'],
    ];
    for (const [body, message] of cases) {
      const answer = await deliver(hub.inboundUrl, body);
      expect({ body, status: answer.status, message: answer.json.message }).toEqual({ body, status: 400, message });
    }
    const big = JSON.stringify({ type: 'courseCompleted', data: { pad: 'x'.repeat(1024 * 1024) } });
    expect((await deliver(hub.inboundUrl, big)).status).toBe(413);
    expect(await count(hub, 'events')).toBe(0);
    expect(await count(hub, 'deliveries')).toBe(0);
  });

  test('subscription API: wrong or missing API key → 401; bad input → 400 naming the field; nothing stored', async () => {
    const { hub } = await testHub(backend);
    const good = { event: 'courseCompleted', target_url: 'https://hooks.zapier.com/hooks/standard/1/a/' };
    expect((await subscribe(hub.url, good, 'wrong-api-key-000000000')).status).toBe(401);
    const noKey = await fetch(`${hub.url}/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(good) });
    expect(noKey.status).toBe(401);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...good, event: 'course.completed' }, /body\.event must be equal to one of the allowed values: userUpdated, .*\*/],
      [{ ...good, event: undefined }, /must have required property 'event'/],
      [{ ...good, extra: 1 }, /must NOT have additional properties/],
      [{ ...good, target_url: 'http://hooks.zapier.com/hooks/x' }, /target_url must be on an allowed origin/],
      [{ ...good, target_url: 'https://evil.example.com/hooks/x' }, /target_url must be on an allowed origin/],
      [{ ...good, target_url: 'https://127.0.0.1/hooks/x' }, /target_url must be on an allowed origin/],
      [{ ...good, target_url: 'http://localhost:8080/x' }, /target_url must be on an allowed origin/],
      [{ ...good, target_url: 'https://user:pw@hooks.zapier.com/x' }, /must not carry credentials/],
      [{ ...good, target_url: 'not a url' }, /target_url is not a URL/],
      [{ ...good, school_url: 'not a url' }, /school_url: .*not a web address/],
      [{ ...good, webhook_secret: ' v1= ' }, /webhook_secret is empty/],
      [{ ...good, filters: { course_id: 5 } }, /filters.course_id must be string/],
    ];
    for (const [body, message] of bad) {
      const answer = await subscribe(hub.url, body);
      expect({ body, status: answer.status, message: answer.json.message }).toEqual({ body, status: 400, message: expect.stringMatching(message) });
      expect(JSON.stringify(answer.json)).not.toContain(WEBHOOK_SECRET);
    }
    expect(await count(hub, 'subscriptions')).toBe(0);
    expect(await count(hub, 'tenants')).toBe(0);
  });

  test('subscribe → 201; every matching subscription gets the original bytes and headers; duplicates are not fanned out again', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    const a = await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/zap-a'), filters: { course_id: 'sample-course' } });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event: 'courseCompleted',
      target_url: receiver.url('/zap-a'),
      filters: { course_id: 'sample-course' },
      created_at: expect.any(String),
    });
    expect(Date.parse(String(a.json.created_at))).toBeGreaterThan(Date.now() - 60_000);
    await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/zap-b') });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap-any') });
    await subscribe(hub.url, { event: 'userUpdated', target_url: receiver.url('/zap-users') });
    // Same tenant, event and target again: the same subscription, not a second one.
    const again = await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/zap-a') });
    expect(again.json.id).toBe(a.json.id);

    const raw = `${JSON.stringify(courseCompleted, null, 3)}\n`; // odd formatting must survive byte for byte
    const first = await deliver(hub.inboundUrl, raw);
    expect(first).toEqual({ status: 202, json: { status: 'accepted', deliveries: 3 } });
    // Every send is recorded after its answer: once the rows say delivered, nothing more can come.
    await waitFor(async () => (await count(hub, 'deliveries', "status = 'delivered'")) === 3, 10000, 'three deliveries');
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/zap-a', '/zap-any', '/zap-b']);
    for (const request of receiver.requests) {
      expect(request.body.toString('utf8')).toBe(raw);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['learnworlds-webhook-signature']).toBe(SIGNATURE);
      expect(request.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(3);

    // LearnWorlds retrying the same body: accepted (2xx) but not fanned out again.
    expect(await deliver(hub.inboundUrl, raw)).toEqual({ status: 200, json: { status: 'duplicate' } });
    // A different body is a new event.
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.userUpdated)).json).toEqual({ status: 'accepted', deliveries: 2 });
    await waitFor(async () => (await count(hub, 'deliveries', "status = 'delivered'")) === 5, 10000, 'two more deliveries');
    expect(await count(hub, 'deliveries')).toBe(5);
    expect(receiver.to('/zap-a')).toHaveLength(1);
    expect(receiver.to('/zap-users')).toHaveLength(1);
    expect(receiver.to('/zap-any')).toHaveLength(2);
    expect(await count(hub, 'events')).toBe(2);
  });

  test('a tenant with no subscription left still gets 2xx (stored, nothing to send)', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    const sub = await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/zap') });
    expect(await unsubscribe(hub.url, String(sub.json.id))).toBe(204);
    expect(await deliver(hub.inboundUrl, courseCompleted)).toEqual({ status: 202, json: { status: 'accepted', deliveries: 0 } });
  });

  test('unsubscribe: 204 for the owner; 404 for someone else, unknown or malformed ids; 400 without the secret header', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    const sub = await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/zap') });
    const id = String(sub.json.id);
    expect(await unsubscribe(hub.url, id, 'v1=someone-elses-secret')).toBe(404);
    expect(await unsubscribe(hub.url, id, null)).toBe(400);
    expect(await unsubscribe(hub.url, id, WEBHOOK_SECRET, 'wrong-api-key-000000000')).toBe(401);
    expect(await unsubscribe(hub.url, '00000000-0000-4000-8000-000000000000')).toBe(404);
    expect(await unsubscribe(hub.url, 'not-a-uuid')).toBe(404);
    expect(await count(hub, 'subscriptions')).toBe(1);
    expect(await unsubscribe(hub.url, id, `v1=${WEBHOOK_SECRET}`)).toBe(204);
    expect(await unsubscribe(hub.url, id)).toBe(404);
    expect(await count(hub, 'subscriptions')).toBe(0);
    expect((await deliver(hub.inboundUrl, courseCompleted)).json).toEqual({ status: 'accepted', deliveries: 0 });
  });

  test('health, metrics and OpenAPI', async () => {
    const { hub } = await testHub(backend);
    const health = await fetch(`${hub.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: backend });
    const receiver = await new Receiver().start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, courseCompleted);
    const metricsText = async () => (await fetch(`${hub.url}/metrics`)).text();
    await waitFor(async () => /hub_forward_delivered_total 1/.test(await metricsText()), 10000, 'the delivery to be recorded');
    const metrics = await metricsText();
    expect(metrics).toMatch(/hub_inbound_received_total\{result="accepted"\} 1/);
    expect(metrics).toMatch(/hub_forward_delivered_total 1/);
    expect(metrics).toMatch(/hub_queue_depth 0/);
    expect(metrics).toMatch(/hub_delivery_latency_seconds_count 1/);
    for (const name of ['hub_inbound_rejected_total', 'hub_forward_retried_total', 'hub_forward_failed_total']) expect(metrics).toContain(name);
    const openapi = (await (await fetch(`${hub.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/subscriptions', '/v1/subscriptions/{id}', '/v1/learnworlds/webhooks']));
    expect(JSON.stringify(openapi.paths['/v1/subscriptions'])).toContain('courseCompleted');
  });

  test('logs are JSON and never contain a secret or an API key', async () => {
    const { hub, logs } = await testHub(backend);
    const receiver = await new Receiver().start();
    const sub = await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, courseCompleted);
    await deliver(hub.inboundUrl, courseCompleted, 'v1=forged');
    await waitFor(() => receiver.requests.length === 1);
    await unsubscribe(hub.url, String(sub.json.id));
    await waitFor(() => logs.lines.some((l) => l.includes('subscription removed')), 10000, 'the unsubscribe to be logged');
    expect(logs.lines.length).toBeGreaterThan(5);
    for (const line of logs.lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(WEBHOOK_SECRET);
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain(HUB_SECRET_KEY);
    }
  });

  test('no secret is stored in plain text', async () => {
    const { hub } = await testHub(backend);
    await subscribe(hub.url, { event: '*', target_url: 'https://hooks.zapier.com/hooks/standard/1/x/' });
    await deliver(hub.inboundUrl, courseCompleted);
    await deliver(hub.inboundUrl, VENDOR_PAYLOADS.userTagAdded);
    for (const table of ['tenants', 'subscriptions', 'events', 'hub_settings', 'inbound_last', 'user_tags']) {
      const { rows } = await hub.db.query(`SELECT * FROM ${table}`);
      expect({ table, dump: JSON.stringify(rows) }).toEqual({ table, dump: expect.not.stringContaining(WEBHOOK_SECRET) });
    }
  });
});

test('the hub accepts exactly the catalogue event types, plus *', async () => {
  const { hub } = await testHub('embedded');
  for (const event of [...LEARNWORLDS_EVENT_TYPES, '*']) {
    expect((await subscribe(hub.url, { event, target_url: `https://hooks.zapier.com/hooks/${event === '*' ? 'any' : event}` })).status).toBe(201);
  }
});
