/** Two hub processes on one PostgreSQL split the work without sending any delivery twice. */
import { Client } from 'pg';
import { BACKENDS, HubProcess, Receiver, deliver, hubEnv, runCleanups, sequenceOf, subscribe, waitFor } from './helpers';

afterEach(runCleanups);

const DELIVERIES = 1000;
const maybe = BACKENDS.includes('postgres') ? test : test.skip;

maybe(
  'two processes, 1,000 deliveries, 2 subscriptions: each pair sent exactly once',
  async () => {
    const receiver = await new Receiver(() => ({ status: 200, delayMs: 1 })).start();
    // Production timeouts: a send cut short by a test-sized timeout is retried (at least once), which
    // is not what this test is about: that two processes never claim the same delivery.
    const env = await hubEnv('postgres', { LOG_LEVEL: 'warn', HUB_DELIVERY_TIMEOUT_MS: '10000', HUB_DELIVERY_LEASE_MS: '60000' });
    const [a, b] = await Promise.all([new HubProcess(env).start(), new HubProcess(env).start()]);
    await subscribe(a.url, { event: '*', target_url: receiver.url('/zap-1') });
    await subscribe(b.url, { event: 'courseCompleted', target_url: receiver.url('/zap-2') });
    const hubs = [a, b];
    const batch = 20;
    for (let i = 0; i < DELIVERIES; i += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, j) =>
          deliver(`${hubs[(i + j) % 2].url}/v1/learnworlds/webhooks`, { version: 2, type: 'courseCompleted', data: { n: i + j } }).then((r) => {
            if (r.status !== 202) throw new Error(`inbound answered ${r.status}`);
          }),
        ),
      );
    }
    // Every send is recorded after its answer: once no row is left pending, nothing more can come.
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    const finished = async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`);
      return rows[0].n === DELIVERIES * 2;
    };
    await waitFor(finished, 90000, 'every delivery to be recorded').finally(() => db.end());
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    if (ids.length !== new Set(ids).size || ids.length !== DELIVERIES * 2) console.log(hubs.map((h) => h.output).join('\n'));
    expect(receiver.requests).toHaveLength(DELIVERIES * 2);
    expect(new Set(ids).size).toBe(DELIVERIES * 2);
    const pairs = new Set(receiver.requests.map((r) => `${r.path}|${sequenceOf(r)}`));
    expect(pairs.size).toBe(DELIVERIES * 2);
    await Promise.all(hubs.map((h) => h.kill('SIGTERM')));
  },
  180000,
);
