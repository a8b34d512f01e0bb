import { VENDOR_PAYLOADS } from '../../contract/payloads';
import { classifyStatus, retryDelayMs } from '../src/forwarder';
import { BACKENDS, Receiver, count, deliver, runCleanups, subscribe, testHub, unsubscribe, waitFor } from './helpers';

afterEach(runCleanups);

const body = VENDOR_PAYLOADS.courseCompleted;

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
    'retry',
    'retry',
    'retry',
    'fail',
    'fail',
    'fail',
  ]);
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
