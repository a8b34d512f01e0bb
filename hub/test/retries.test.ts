import { VENDOR_PAYLOADS } from '../../contract/payloads';
import { MAX_RETRY_AFTER_MS, classifyStatus, parseRetryAfter, retryDelayMs } from '../src/delivery/forwarder';
import { API_KEY, BACKENDS, Receiver, count, deliver, runCleanups, subscribe, testHub, unsubscribe, waitFor } from './helpers';

afterEach(runCleanups);

const body = VENDOR_PAYLOADS.courseCompleted;
const OTHER_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f';

async function deliveryRow(hub: Awaited<ReturnType<typeof testHub>>['hub']) {
  const { rows } = await hub.db.query<{ status: string; attempts: number; last_status: number | null; last_error: string | null }>(
    'SELECT status, attempts, last_status, last_error FROM deliveries',
  );
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

test('back-off doubles from the base and is capped; statuses are classified', () => {
  expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(n, 60_000, 3_600_000))).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000]);
  expect([200, 204, 410, 408, 429, 500, 503, 302, 400, 404].map((s) => classifyStatus(s).kind)).toEqual([
    'delivered',
    'delivered',
    'gone',
    'retry',
    'throttled',
    'retry',
    'retry',
    'fail',
    'fail',
    'fail',
  ]);
});

test('Retry-After: delta-seconds or an HTTP date, capped at an hour; anything else is no advice', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  expect(parseRetryAfter('2', now)).toBe(2000);
  expect(parseRetryAfter(' 0 ', now)).toBe(0);
  expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
  expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
  expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
  expect([undefined, '', 'soon', '-5', '1.5e3'].map((v) => parseRetryAfter(v, now))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(classifyStatus(429, '3')).toEqual({ kind: 'throttled', status: 429, retryAfterMs: 3000 });
});

describe.each(BACKENDS)('429 is back-pressure, not failure, on %s', (backend) => {
  test('a Zap answering 429 more often than the retry budget still gets the delivery, once; five 500s are given up after three', async () => {
    const { hub } = await testHub(backend); // HUB_RETRY_MAX_ATTEMPTS=3
    const receiver = await new Receiver((request, nth) => {
      if (request.path === '/throttled') return nth <= 5 ? { status: 429, headers: { 'retry-after': '0' } } : 200;
      return 500;
    }).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/throttled') });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/failing') });
    await deliver(hub.inboundUrl, body);
    const rows = async () =>
      (
        await hub.db.query<{ target_url: string; status: string; last_status: number }>(
          'SELECT s.target_url, d.status, d.last_status FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id ORDER BY s.target_url',
        )
      ).rows;
    await waitFor(async () => (await rows()).every((r) => r.status !== 'pending'), 45000, 'both deliveries to finish');
    expect((await rows()).map((r) => [new URL(r.target_url).pathname, r.status, r.last_status])).toEqual([
      ['/failing', 'failed', 500],
      ['/throttled', 'delivered', 200],
    ]);
    expect(receiver.to('/throttled')).toHaveLength(6);
    expect(new Set(receiver.to('/throttled').map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.to('/failing')).toHaveLength(3);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/hub_forward_throttled_total 5/);
    const { rows: attempts } = await hub.db.query<{ outcome: string }>(
      `SELECT a.outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN subscriptions s ON s.id = d.subscription_id
       WHERE s.target_url LIKE '%/throttled' ORDER BY a.attempt`,
    );
    expect(attempts.map((a) => a.outcome)).toEqual(['throttled', 'throttled', 'throttled', 'throttled', 'throttled', 'delivered']);
  });

  test("one 429 pauses the whole Zap for its Retry-After, and is in no other school's way", async () => {
    const { hub } = await testHub(backend, { HUB_TENANT_CONCURRENCY: '1', HUB_QUEUE_DEPTH_INTERVAL_MS: '100' });
    const receiver = await new Receiver((request) => (request.path === '/busy' ? { status: 429, headers: { 'retry-after': '120' } } : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/busy') });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/other') }, API_KEY, OTHER_SECRET);
    for (let n = 0; n < 6; n += 1) await deliver(hub.inboundUrl, { ...body, data: { n } });
    const metrics = async () => (await fetch(`${hub.url}/metrics`)).text();
    await waitFor(async () => /hub_forward_throttled_total 1/.test(await metrics()), 45000, 'the first 429');
    await deliver(hub.inboundUrl, body, `v1=${OTHER_SECRET}`);
    await waitFor(() => receiver.to('/other').length === 1, 45000, "the other school's delivery");
    // The Zap was asked once: its five other deliveries wait out the 120 s with the first (those that
    // came before the 429 moved to the pause's end, later ones are skipped by claims), none spent an attempt.
    expect(receiver.to('/busy')).toHaveLength(1);
    const { rows } = await hub.db.query<{ waiting: number; attempts: number }>(
      `SELECT count(*)::int AS waiting, sum(d.attempts - d.round_start)::int AS attempts FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE s.target_url LIKE '%/busy' AND d.status = 'pending'`,
    );
    expect(rows).toEqual([{ waiting: 6, attempts: 0 }]);
    const { rows: pauses } = await hub.db.query<{ paused: boolean }>(
      `SELECT paused_until > now() + interval '20 seconds' AS paused FROM target_pace WHERE target_url LIKE '%/busy'`,
    );
    expect(pauses).toEqual([{ paused: true }]);
    // /metrics shows the throttled target and its backlog (sampled, like the queue depth).
    await waitFor(
      async () => /^hub_targets_throttled 1$/m.test(await metrics()) && /^hub_throttled_backlog 6$/m.test(await metrics()),
      10000,
      'the sampled figures',
    );
  });

  test('deliveries claimed ahead for a Zap are not sent after its 429: given back once the pause is written, no attempt spent', async () => {
    // One slot, so claims wait in the worker behind the Zap's first send (held unanswered).
    const { hub } = await testHub(backend, { HUB_CONCURRENCY: '1', HUB_TENANT_CONCURRENCY: '4' });
    const receiver = await new Receiver(() => ({ status: 429, headers: { 'retry-after': '120' } })).start();
    receiver.hold();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/busy') });
    await deliver(hub.inboundUrl, { ...body, data: { n: 0 } });
    await waitFor(() => receiver.heldCount === 1, 45000, 'the first send');
    for (let n = 1; n < 6; n += 1) await deliver(hub.inboundUrl, { ...body, data: { n } });
    const claimed = async () => count(hub, 'deliveries', 'locked_until > now()');
    await waitFor(async () => (await claimed()) >= 3, 45000, 'deliveries claimed ahead, waiting for the slot');
    receiver.release();
    await waitFor(async () => /^hub_forward_throttled_total [1-9]/m.test(await (await fetch(`${hub.url}/metrics`)).text()), 45000, 'the 429');
    await waitFor(async () => (await claimed()) === 0, 45000, 'the held claims given back');
    expect(receiver.to('/busy')).toHaveLength(1);
    const { rows } = await hub.db.query<{ waiting: number; attempts: number }>(
      `SELECT count(*)::int AS waiting, sum(attempts - round_start)::int AS attempts FROM deliveries WHERE status = 'pending'`,
    );
    expect(rows).toEqual([{ waiting: 6, attempts: 0 }]);
  });

  test("a 429's Retry-After is honoured: the next attempt comes no sooner", async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver((_request, nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '2' } } : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(() => receiver.requests.length === 2, 45000, 'the attempt after the Retry-After');
    const [first, second] = receiver.requests;
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(2000); // a lower bound: a slow machine only waits longer
  });

  test('a Zap refusing with 429 for longer than HUB_MAX_THROTTLE_HOURS: given up and recorded; a replay starts a fresh throttling clock', async () => {
    // About 1.1 s of 429s, and a budget of one attempt: a second send can only come from a 429 that spent none.
    const { hub } = await testHub(backend, { HUB_MAX_THROTTLE_HOURS: '0.0003', HUB_RETRY_MAX_ATTEMPTS: '1' });
    let refuseThrough = Infinity;
    const receiver = await new Receiver((_r, nth) => (nth <= refuseThrough ? { status: 429, headers: { 'retry-after': '0' } } : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 45000, 'the give-up');
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2); // more than the retry budget: 429s spent none of it
    expect(await deliveryRow(hub)).toEqual([
      expect.objectContaining({ status: 'failed', last_status: 429, last_error: 'HTTP 429: refused for longer than HUB_MAX_THROTTLE_HOURS; gave up' }),
    ]);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/hub_forward_failed_total 1/);

    // A replay starts a fresh throttling clock: its first send's 429 is waited out, not given up at once.
    const { rows } = await hub.db.query<{ id: string }>('SELECT id::text AS id FROM deliveries');
    refuseThrough = receiver.requests.length + 1;
    expect(await hub.replays.replay(rows[0].id)).toBe('replayed');
    hub.worker.wake();
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'delivered', 30000, 'the replay to be delivered');
    expect(await deliveryRow(hub)).toEqual([expect.objectContaining({ status: 'delivered', last_status: 200 })]);
  });
});

describe.each(BACKENDS)('delivery outcomes on %s', (backend) => {
  test('500 twice then 200: retried with the same Webhook-Id, then delivered', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver((_r, nth) => (nth <= 2 ? 500 : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'delivered', 10000, 'delivery');
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(await deliveryRow(hub)).toEqual([{ status: 'delivered', attempts: 3, last_status: 200, last_error: null }]);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/hub_forward_retried_total 2/);
  });

  test('always 503: given up after the maximum attempts and recorded', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver(() => 503).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 10000, 'give-up');
    expect(receiver.requests).toHaveLength(3);
    expect(await deliveryRow(hub)).toEqual([{ status: 'failed', attempts: 3, last_status: 503, last_error: 'HTTP 503; gave up after 3 attempts' }]);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/hub_forward_failed_total 1/);
  });

  test('a receiver that times out is retried, then given up', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver(() => 'hang').start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 15000, 'give-up');
    expect(receiver.requests).toHaveLength(3);
    expect(await deliveryRow(hub)).toEqual([
      { status: 'failed', attempts: 3, last_status: null, last_error: 'timed out after 400 ms; gave up after 3 attempts' },
    ]);
  });

  test('a refused connection is retried like a timeout', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver().start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await receiver.stop();
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 15000, 'give-up');
    expect((await deliveryRow(hub))[0]).toMatchObject({ attempts: 3, last_error: expect.stringMatching(/^network error.*gave up after 3 attempts$/) });
  });

  test('410 Gone removes the subscription', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver(() => 410).start();
    const sub = await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await count(hub, 'subscriptions')) === 0, 10000, 'subscription removal');
    expect(receiver.requests).toHaveLength(1);
    expect(await count(hub, 'deliveries')).toBe(0);
    expect(await unsubscribe(hub.url, String(sub.json.id))).toBe(404);
    expect((await deliver(hub.inboundUrl, VENDOR_PAYLOADS.userUpdated)).json).toEqual({ status: 'accepted', deliveries: 0 });
  });

  test('other 4xx: recorded, not retried', async () => {
    const { hub } = await testHub(backend);
    const receiver = await new Receiver(() => 400).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    // 'failed' is final: no send can follow it.
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 10000, 'failure');
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveryRow(hub)).toEqual([{ status: 'failed', attempts: 1, last_status: 400, last_error: 'HTTP 400' }]);
  });

  test('redirects are not followed', async () => {
    const { hub } = await testHub(backend);
    const elsewhere = await new Receiver().start();
    const receiver = await new Receiver(() => ({ status: 302, headers: { Location: elsewhere.url('/stolen') } })).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    await deliver(hub.inboundUrl, body);
    await waitFor(async () => (await deliveryRow(hub))[0]?.status === 'failed', 10000, 'failure');
    expect(elsewhere.requests).toHaveLength(0);
    expect((await deliveryRow(hub))[0]).toMatchObject({ attempts: 1, last_status: 302, last_error: expect.stringContaining('redirects are not followed') });
  });
});
