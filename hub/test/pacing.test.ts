/**
 * Delivery shaped to what Zapier accepts, against a stand-in that answers 429 above N requests/s
 * per route: bursts arrive complete and once at about the paced rate, an account's Zaps share its
 * budget, 429s slow a target down without spending retries, a backlog delays no other Zap or
 * school, and two processes together keep to one target's rate. Rates are scaled down; the
 * assertions are on counts, and on lower bounds of time (pacing can only be slowed by a loaded
 * machine, never hurried), so they hold on a busy 2-core machine.
 */
import type { Hub } from '../src/hub';
import { burstOf } from '../src/queue/pacing';
import {
  BACKENDS,
  type Backend,
  HubProcess,
  Receiver,
  WEBHOOK_SECRET,
  ZapierIntake,
  deliver,
  hubEnv,
  runCleanups,
  subscribe,
  testHub,
  waitFor,
} from './helpers';

afterEach(runCleanups);

const OTHER_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f';
/** Production timeouts: a send cut short by a test-sized timeout on a loaded machine is sent again (at least once), which is not what these tests are about. */
const TIMEOUTS = { HUB_DELIVERY_TIMEOUT_MS: '10000', HUB_DELIVERY_LEASE_MS: '60000' };

/** `n` distinct events (no two alike, so none is taken for a LearnWorlds retry), sent 10 at a time. */
async function burst(inboundUrls: string[], n: number, signature = `v1=${WEBHOOK_SECRET}`, type = 'courseCompleted'): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, j) =>
        deliver(inboundUrls[(i + j) % inboundUrls.length], { version: 2, type, data: { n: i + j } }, signature).then((r) => {
          if (r.status !== 202) throw new Error(`inbound answered ${r.status}`);
        }),
      ),
    );
  }
}

/** Milliseconds from the first to the last request a route received. */
function span(receiver: Receiver, path: string): number {
  const times = receiver.to(path).map((r) => r.receivedAt);
  return Math.max(...times) - Math.min(...times);
}

async function pending(hub: Hub, pathEnd: string): Promise<number> {
  const { rows } = await hub.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.target_url LIKE $1`,
    [`%${pathEnd}`],
  );
  return Number(rows[0].n);
}

describe.each(BACKENDS)('pacing on %s', (backend: Backend) => {
  test('a burst to two Zaps arrives complete, once each, at about the paced rate, with few 429s and no retry spent', async () => {
    // Paced at 5/s against a limit of 12/s: a loaded machine would have to bunch 2.4 s of sends into one to be refused.
    const rate = 5;
    const { hub } = await testHub(backend, { ...TIMEOUTS, HUB_TARGET_RATE_PER_SECOND: String(rate) });
    const intake = new ZapierIntake(12);
    const receiver = await new Receiver(intake.responder).start();
    const zaps = ['/hooks/catch/1/a', '/hooks/catch/2/b'];
    for (const path of zaps) await subscribe(hub.url, { event: '*', target_url: receiver.url(path) });
    const events = 40;
    await burst([hub.inboundUrl], events);
    await waitFor(() => zaps.every((path) => new Set(intake.acceptedBy(path)).size >= events), 60000, 'every event at both Zaps');
    for (const path of zaps) {
      // Complete and once: each event's Webhook-Id accepted exactly once.
      const ids = intake.acceptedBy(path);
      expect(new Set(ids).size).toBe(events);
      expect(ids).toHaveLength(events);
      // Paced: no faster than the rate allows (the first burst of sends, then one per interval).
      expect(span(receiver, path)).toBeGreaterThanOrEqual(0.9 * ((events - burstOf(rate)) / rate) * 1000);
    }
    // Unpaced, 87 % of a burst was refused; paced, a loaded machine may bunch a few sends.
    expect(intake.refused).toBeLessThanOrEqual(0.2 * intake.total);
    // An outcome is recorded after the Zap answered: wait for the last records before reading them.
    await waitFor(async () => (await pending(hub, '')) === 0, 30000, 'every outcome recorded');
    const { rows } = await hub.db.query<{ status: string; spent: number }>(
      `SELECT status, max(attempts - round_start)::int AS spent FROM deliveries GROUP BY status`,
    );
    expect(rows).toEqual([{ status: 'delivered', spent: 1 }]);
  }, 90000);

  test("an account's Zaps share its budget (the user of /hooks/catch/{user}/ and /hooks/standard/{user}/); another user's do not wait for it", async () => {
    const { hub } = await testHub(backend, {
      ...TIMEOUTS,
      HUB_TARGET_RATE_PER_SECOND: '1000',
      HUB_ACCOUNT_RATE_LIMIT: '10',
      HUB_ACCOUNT_RATE_WINDOW_SECONDS: '2',
    });
    const receiver = await new Receiver().start();
    const zaps = ['/hooks/catch/77/a/', '/hooks/standard/77/b/', '/hooks/catch/88/c/'];
    // User 77's two Zaps take every course completion; user 88's Zap only the few user updates.
    await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url(zaps[0]) });
    await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url(zaps[1]) });
    await subscribe(hub.url, { event: 'userUpdated', target_url: receiver.url(zaps[2]) });
    const { rows: accounts } = await hub.db.query<{ account: string }>('SELECT account FROM target_pace ORDER BY account');
    expect(accounts.map((a) => a.account)).toEqual([77, 77, 88].map((user) => `127.0.0.1:${receiver.port} user ${user}`));
    const events = 20;
    await burst([hub.inboundUrl], events);
    await burst([hub.inboundUrl], 5, undefined, 'userUpdated');
    await waitFor(
      () => receiver.to(zaps[0]).length >= events && receiver.to(zaps[1]).length >= events && receiver.to(zaps[2]).length >= 5,
      60000,
      'every event at every Zap',
    );
    const user77 = [...receiver.to(zaps[0]), ...receiver.to(zaps[1])].map((r) => r.receivedAt);
    // 40 sends at 10 per 2 s (a sliding window): at least 6 s, whatever the machine; user 88's 5 fit in
    // its own window at once, so they came before user 77's last, 6 s of margin on a loaded machine.
    expect(Math.max(...user77) - Math.min(...user77)).toBeGreaterThanOrEqual(4800);
    expect(Math.max(...receiver.to(zaps[2]).map((r) => r.receivedAt))).toBeLessThan(Math.max(...user77));
    expect(new Set(receiver.requests.map((r) => String(r.headers['webhook-id']))).size).toBe(2 * events + 5);
  }, 90000);

  test('a 429 without Retry-After halves the Zap’s rate once (not once per send in flight), pauses it, and the rate recovers', async () => {
    const { hub } = await testHub(backend, TIMEOUTS);
    let refusing = true;
    const receiver = await new Receiver(() => (refusing ? 429 : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    // Five sends in flight at once, then all five refused together.
    receiver.hold();
    await burst([hub.inboundUrl], 5);
    await waitFor(() => receiver.heldCount === 5, 30000, 'five sends in flight');
    receiver.release();
    refusing = false;
    await waitFor(async () => (await pending(hub, '/zap')) === 0, 60000, 'the five delivered after the pause');
    const { rows } = await hub.db.query<{ slow_factor: number; recovering: boolean }>(
      `SELECT slow_factor, least(1, slow_factor + extract(epoch from now() - slowed_at) / 60) > slow_factor AS recovering FROM target_pace`,
    );
    // Five sends in flight met the 429s together: one halving, not five (1/32).
    expect(rows).toEqual([{ slow_factor: 0.5, recovering: true }]);
    const accepted = receiver.requests.slice(5).map((r) => r.receivedAt);
    // The pause after a halving to 1/2 lasts 1 s / 0.5 = 2 s.
    expect(Math.min(...accepted) - receiver.requests[0].receivedAt).toBeGreaterThanOrEqual(1900);
    const { rows: spent } = await hub.db.query<{ spent: number }>('SELECT max(attempts - round_start)::int AS spent FROM deliveries');
    expect(spent).toEqual([{ spent: 1 }]);
  }, 90000);

  test("a Zap's backlog delays neither another Zap of its school nor another school", async () => {
    const { hub } = await testHub(backend, { ...TIMEOUTS, HUB_TARGET_RATE_PER_SECOND: '0.2' });
    const receiver = await new Receiver().start();
    await subscribe(hub.url, { event: 'userUpdated', target_url: receiver.url('/backlog') });
    await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/same-school') });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/other-school') }, undefined, OTHER_SECRET);
    await burst([hub.inboundUrl], 50, undefined, 'userUpdated');
    await burst([hub.inboundUrl], 1, undefined, 'courseCompleted');
    await burst([hub.inboundUrl], 1, `v1=${OTHER_SECRET}`, 'courseCompleted');
    await waitFor(() => receiver.to('/same-school').length === 1 && receiver.to('/other-school').length === 1, 30000, 'both other Zaps');
    // At one send per 5 s, the backlog is still there (the others had 50 s of margin): nobody waited for it.
    expect(await pending(hub, '/backlog')).toBeGreaterThanOrEqual(40);
  }, 60000);
});

const onPostgres = BACKENDS.includes('postgres') ? test : test.skip;

onPostgres(
  'two hub processes on PostgreSQL together keep to one Zap’s rate',
  async () => {
    const rate = 10;
    const env = await hubEnv('postgres', { ...TIMEOUTS, HUB_TARGET_RATE_PER_SECOND: String(rate) });
    const [a, b] = await Promise.all([new HubProcess(env).start(), new HubProcess(env).start()]);
    const receiver = await new Receiver().start();
    await subscribe(a.url, { event: '*', target_url: receiver.url('/zap') });
    const events = 40;
    await burst([`${a.url}/v1/learnworlds/webhooks`, `${b.url}/v1/learnworlds/webhooks`], events);
    await waitFor(() => receiver.to('/zap').length >= events, 60000, 'every event');
    expect(new Set(receiver.requests.map((r) => String(r.headers['webhook-id']))).size).toBe(events);
    // Each process alone would send at the full rate: together they would take half the time.
    expect(span(receiver, '/zap')).toBeGreaterThanOrEqual(0.9 * ((events - burstOf(rate)) / rate) * 1000);
    await Promise.all([a, b].map((h) => h.kill('SIGTERM')));
  },
  120000,
);
