/**
 * kill -9 in the middle of fan-out, then restart on the same embedded database: every
 * (delivery, subscription) pair arrives at least once, and the receiver's Webhook-Id dedupe
 * leaves exactly one of each.
 */
import { HubProcess, Receiver, deliver, hubEnv, runCleanups, sequenceOf, subscribe, waitFor } from './helpers';

afterEach(runCleanups);

const DELIVERIES = 500;
const SUBSCRIPTIONS = 3;

/** The receiver answers this many, then holds every further request: the kill lands with sends in flight. */
const ANSWERED_BEFORE_KILL = 200;
const CONCURRENCY = 4;

test('a hub killed with SIGKILL mid fan-out loses nothing after a restart', async () => {
  const receiver = await new Receiver((_request) => 200).start();
  let answered = 0;
  receiver.respondWith(() => {
    answered += 1;
    if (answered === ANSWERED_BEFORE_KILL) receiver.hold();
    return 200;
  });
  const env = await hubEnv('embedded', {
    HUB_CONCURRENCY: String(CONCURRENCY),
    HUB_TENANT_CONCURRENCY: String(CONCURRENCY),
    HUB_DELIVERY_TIMEOUT_MS: '2000',
    HUB_DELIVERY_LEASE_MS: '5000',
    LOG_LEVEL: 'error',
  });
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
  // Every slot holds an unanswered send: the kill lands mid fan-out, whatever the machine's speed.
  await waitFor(() => receiver.heldCount >= CONCURRENCY, 60000, 'the hub to have every slot in flight');
  await first.kill('SIGKILL');
  // Killed with most pairs unsent and sends in flight, none of them answered.
  expect(answered).toBe(ANSWERED_BEFORE_KILL);
  expect(receiver.requests.length).toBeGreaterThanOrEqual(ANSWERED_BEFORE_KILL + CONCURRENCY);
  receiver.respondWith(() => 200);
  receiver.release();

  const second = await new HubProcess(env).start();
  const uniqueIds = () => new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
  await waitFor(() => uniqueIds().size >= DELIVERIES * SUBSCRIPTIONS, 90000, 'every pair to arrive after the restart');
  await second.kill('SIGTERM');

  // Every (event, subscription) pair arrived; Webhook-Id dedupe leaves exactly one of each.
  const pairs = new Set(receiver.requests.map((r) => `${r.path}|${sequenceOf(r)}`));
  expect(pairs.size).toBe(DELIVERIES * SUBSCRIPTIONS);
  expect(uniqueIds().size).toBe(DELIVERIES * SUBSCRIPTIONS);
  const idsPerPair = new Map<string, Set<string>>();
  for (const r of receiver.requests) {
    const pair = `${r.path}|${sequenceOf(r)}`;
    idsPerPair.set(pair, (idsPerPair.get(pair) ?? new Set()).add(String(r.headers['webhook-id'])));
  }
  expect([...idsPerPair.values()].every((ids) => ids.size === 1)).toBe(true);
  // The sends in flight at the kill were never recorded: they went again, with the same Webhook-Id.
  expect(receiver.requests.length).toBeGreaterThanOrEqual(DELIVERIES * SUBSCRIPTIONS + CONCURRENCY);
}, 180000);

test('SIGTERM: in-flight sends finish, the rest waits in the database for the next start', async () => {
  const receiver = await new Receiver(() => 200).start();
  receiver.hold();
  const env = await hubEnv('embedded', {
    HUB_CONCURRENCY: '2',
    HUB_DELIVERY_TIMEOUT_MS: '5000',
    HUB_DELIVERY_LEASE_MS: '12000',
    HUB_SHUTDOWN_TIMEOUT_MS: '20000',
    LOG_LEVEL: 'error',
  });
  const first = await new HubProcess(env).start();
  await subscribe(first.url, { event: '*', target_url: receiver.url('/zap') });
  for (let i = 0; i < 20; i += 1) {
    expect((await deliver(`${first.url}/v1/learnworlds/webhooks`, { version: 2, type: 'courseCompleted', data: { n: i } })).status).toBe(202);
  }
  // Both slots hold a send when SIGTERM comes; the hub waits for them, then exits.
  await waitFor(() => receiver.heldCount === 2, 10000, 'two sends in flight');
  const exited = new Promise<number | null>((resolve) => first.child!.once('exit', (code) => resolve(code)));
  first.child!.kill('SIGTERM');
  // Once it stops listening it has stopped claiming: only then do the held sends get their answer.
  await waitFor(
    () =>
      fetch(`${first.url}/healthz`).then(
        () => false,
        () => true,
      ),
    10000,
    'the hub to stop listening',
  );
  receiver.release();
  expect(await exited).toBe(0);
  expect(receiver.requests).toHaveLength(2);

  await new HubProcess(env).start();
  await waitFor(() => new Set(receiver.requests.map((r) => String(r.headers['webhook-id']))).size >= 20, 30000, 'the rest after the restart');
  // Sends in flight at SIGTERM completed and were recorded: nothing was sent twice.
  expect(receiver.requests).toHaveLength(20);
}, 120000);
