/**
 * kill -9 in the middle of fan-out, then restart on the same embedded database: every
 * (delivery, subscription) pair arrives at least once, and the receiver's Webhook-Id dedupe
 * leaves exactly one of each.
 */
import { HubProcess, Receiver, deliver, hubEnv, runCleanups, subscribe, waitFor } from './helpers';

afterEach(runCleanups);

const DELIVERIES = 500;
const SUBSCRIPTIONS = 3;

test('a hub killed with SIGKILL mid fan-out loses nothing after a restart', async () => {
  // A slowish receiver, so the kill lands while deliveries are in flight.
  const receiver = await new Receiver(() => ({ status: 200, delayMs: 20 })).start();
  const env = await hubEnv('embedded', { HUB_CONCURRENCY: '4', HUB_TENANT_CONCURRENCY: '4', HUB_DELIVERY_TIMEOUT_MS: '500', HUB_DELIVERY_LEASE_MS: '2000', LOG_LEVEL: 'error' });
  const first = await new HubProcess(env).start();
  for (let i = 0; i < SUBSCRIPTIONS; i += 1) {
    expect((await subscribe(first.url, { event: 'courseCompleted', target_url: receiver.url(`/zap-${i}`) })).status).toBe(201);
  }
  // Inbound is accepted only once stored: every 202 must survive the crash.
  const inbound = `${first.url}/v1/learnworlds/webhooks`;
  for (let i = 0; i < DELIVERIES; i += 1) {
    const answer = await deliver(inbound, { version: 2, type: 'courseCompleted', school_id: 's', data: { n: i } });
    expect(answer.status).toBe(202);
  }
  await waitFor(() => receiver.requests.length >= 200, 60000, 'fan-out to be under way');
  await first.kill('SIGKILL');
  const atKill = receiver.requests.length;
  // The kill must land in the middle: most pairs not yet sent.
  expect(atKill).toBeLessThan((DELIVERIES * SUBSCRIPTIONS) / 2);

  const second = await new HubProcess(env).start();
  const uniqueIds = () => new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
  await waitFor(() => uniqueIds().size >= DELIVERIES * SUBSCRIPTIONS, 90000, 'every pair to arrive after the restart');
  await second.kill('SIGTERM');

  // Every (event, subscription) pair arrived; Webhook-Id dedupe leaves exactly one of each.
  const pairs = new Set(receiver.requests.map((r) => `${r.path}|${JSON.parse(r.body.toString()).data.n}`));
  expect(pairs.size).toBe(DELIVERIES * SUBSCRIPTIONS);
  expect(uniqueIds().size).toBe(DELIVERIES * SUBSCRIPTIONS);
  const idsPerPair = new Map<string, Set<string>>();
  for (const r of receiver.requests) {
    const pair = `${r.path}|${JSON.parse(r.body.toString()).data.n}`;
    idsPerPair.set(pair, (idsPerPair.get(pair) ?? new Set()).add(String(r.headers['webhook-id'])));
  }
  expect([...idsPerPair.values()].every((ids) => ids.size === 1)).toBe(true);
  console.log(`crash test: ${atKill} requests before kill -9, ${receiver.requests.length} in all, ${receiver.requests.length - DELIVERIES * SUBSCRIPTIONS} redelivered`);
}, 180000);

test('SIGTERM: in-flight sends finish, the rest waits in the database for the next start', async () => {
  const receiver = await new Receiver(() => ({ status: 200, delayMs: 300 })).start();
  const env = await hubEnv('embedded', { HUB_CONCURRENCY: '2', HUB_DELIVERY_TIMEOUT_MS: '3000', HUB_DELIVERY_LEASE_MS: '8000', LOG_LEVEL: 'error' });
  const first = await new HubProcess(env).start();
  await subscribe(first.url, { event: '*', target_url: receiver.url('/zap') });
  for (let i = 0; i < 20; i += 1) {
    expect((await deliver(`${first.url}/v1/learnworlds/webhooks`, { version: 2, type: 'courseCompleted', data: { n: i } })).status).toBe(202);
  }
  await waitFor(() => receiver.requests.length >= 2, 10000, 'sends in flight');
  const exited = new Promise<number | null>((resolve) => first.child!.once('exit', (code) => resolve(code)));
  first.child!.kill('SIGTERM');
  expect(await exited).toBe(0);
  const beforeRestart = receiver.requests.length;
  expect(beforeRestart).toBeLessThan(20);

  await new HubProcess(env).start();
  await waitFor(() => new Set(receiver.requests.map((r) => String(r.headers['webhook-id']))).size >= 20, 30000, 'the rest after the restart');
  // Sends in flight at SIGTERM completed and were recorded: nothing was sent twice.
  expect(receiver.requests).toHaveLength(20);
}, 120000);
