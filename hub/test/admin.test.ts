/** The admin API on both engines: keys, the tenant overview, the delivery log, detail, replays. */
import { VENDOR_PAYLOADS } from '../../contract/payloads';
import { API_KEY, BACKENDS, Receiver, WEBHOOK_SECRET, deliver, runCleanups, subscribe, testHub, waitFor } from './helpers';

afterEach(runCleanups);

export const ADMIN_KEY = 'admin-key-0123456789abcdef';
const OTHER_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f';

async function admin(hubUrl: string, path: string, method = 'GET', key = ADMIN_KEY): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${hubUrl}${path}`, { method, headers: { Authorization: `Bearer ${key}` } });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Row = Record<string, unknown>;
const rows = (json: Record<string, unknown>): Row[] => (Array.isArray(json.data) ? (json.data as Row[]) : []);

test('without HUB_ADMIN_KEYS the admin API and the page are off; the app key is never an admin key', async () => {
  const { hub } = await testHub('embedded');
  expect((await admin(hub.url, '/v1/admin/tenants')).status).toBe(404);
  expect((await fetch(`${hub.url}/admin`)).status).toBe(404);
  const { hub: withAdmin } = await testHub('embedded', { HUB_ADMIN_KEYS: ADMIN_KEY });
  expect((await admin(withAdmin.url, '/v1/admin/tenants', 'GET', API_KEY)).status).toBe(401);
  expect((await admin(withAdmin.url, '/v1/admin/tenants', 'GET', 'x')).status).toBe(401);
  expect((await fetch(`${withAdmin.url}/v1/admin/tenants`)).status).toBe(401);
  expect((await admin(withAdmin.url, '/v1/admin/tenants')).status).toBe(200);
});

test('the page is served with a CSP that forbids inline script, and no external resource', async () => {
  const { hub } = await testHub('embedded', { HUB_ADMIN_KEYS: ADMIN_KEY });
  const page = await fetch(`${hub.url}/admin`);
  expect(page.status).toBe(200);
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("default-src 'none'");
  const html = await page.text();
  expect(html).not.toMatch(/<script>(?!<\/script>)|<script[^>]*>[^<]+<\/script>/); // no inline script
  expect(html).not.toMatch(/https?:\/\//); // no CDN, no font, nothing outside the hub
  for (const asset of ['/admin/console.js', '/admin/console.css']) {
    const response = await fetch(`${hub.url}${asset}`);
    expect(response.status).toBe(200);
    expect(await response.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  }
});

describe.each(BACKENDS)('admin API on %s', (backend) => {
  test('throttled Zaps: paused after a 429, their backlog and account (redacted); one keeping up is not listed', async () => {
    const { hub } = await testHub(backend, { HUB_ADMIN_KEYS: ADMIN_KEY });
    const receiver = await new Receiver((request) => (request.path.includes('/123456/') ? { status: 429, headers: { 'retry-after': '120' } } : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/hooks/catch/123456/secretpart/') });
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/hooks/catch/9/abc/') }, API_KEY, OTHER_SECRET);
    expect(rows((await admin(hub.url, '/v1/admin/targets')).json)).toEqual([]);
    for (let n = 0; n < 3; n += 1) await deliver(hub.inboundUrl, { ...VENDOR_PAYLOADS.courseCompleted, data: { n } });
    await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted, `v1=${OTHER_SECRET}`);
    await waitFor(() => receiver.to('/hooks/catch/123456/secretpart/').length >= 1 && receiver.to('/hooks/catch/9/abc/').length === 1, 10000, 'a 429');
    await waitFor(async () => rows((await admin(hub.url, '/v1/admin/targets')).json).some((t) => t.paused_until !== null), 10000, 'the pause');
    const targets = rows((await admin(hub.url, '/v1/admin/targets')).json);
    expect(targets).toEqual([
      {
        target: `127.0.0.1:${receiver.port}/…etpart/`,
        account: `127.0.0.1:${receiver.port} user …3456`,
        paused_until: expect.any(String),
        rate_share: 1, // a Retry-After is honoured as it is: no slow-down on top
        backlog: 3,
        oldest_pending: expect.any(String),
      },
    ]);
    expect(Date.parse(String(targets[0].paused_until)) - Date.now()).toBeGreaterThan(60_000);
    expect(JSON.stringify(targets)).not.toContain('secretpart');
  });

  test('tenants, the delivery log (filtered, paged, targets redacted), one delivery with body and attempts', async () => {
    const { hub } = await testHub(backend, { HUB_ADMIN_KEYS: ADMIN_KEY });
    const receiver = await new Receiver((request) => (request.path.startsWith('/broken') ? 404 : 200)).start();
    await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap/hooks/standard/1/secretpart/') });
    await subscribe(hub.url, { event: 'courseCompleted', target_url: receiver.url('/broken/hooks/standard/2/othersecret/') }, API_KEY, OTHER_SECRET);
    await deliver(hub.inboundUrl, VENDOR_PAYLOADS.userUpdated);
    await deliver(hub.inboundUrl, VENDOR_PAYLOADS.courseCompleted, `v1=${OTHER_SECRET}`);
    await waitFor(async () => rows((await admin(hub.url, '/v1/admin/deliveries?status=pending')).json).length === 0, 10000, 'both outcomes');

    const tenants = rows((await admin(hub.url, '/v1/admin/tenants')).json);
    expect(tenants).toHaveLength(2);
    for (const tenant of tenants) {
      expect(tenant).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{12}$/), school_url: 'https://myschool.learnworlds.com' });
      expect(JSON.stringify(tenant)).not.toContain('secretpart');
      expect(JSON.stringify(tenant)).not.toContain('othersecret');
    }
    const first = tenants.find((t) => (t.last_events as Row).userUpdated)!;
    expect(first.last_24h).toEqual({ pending: 0, delivered: 1, failed: 0 });
    expect(first.subscriptions).toEqual([expect.objectContaining({ event: '*', target: expect.stringMatching(/^127\.0\.0\.1:\d+\/….{7}$/) })]);

    const all = rows((await admin(hub.url, '/v1/admin/deliveries')).json);
    expect(all.map((d) => [d.event_type, d.status])).toEqual([
      ['courseCompleted', 'failed'],
      ['userUpdated', 'delivered'],
    ]);
    expect(all[0]).toMatchObject({
      attempts: 1,
      last_status: 404,
      last_error: 'HTTP 404',
      school_url: 'https://myschool.learnworlds.com',
      received_at: expect.any(String),
      finished_at: expect.any(String),
    });
    expect(JSON.stringify(all)).not.toMatch(/secretpart|othersecret/);
    const failed = rows((await admin(hub.url, '/v1/admin/deliveries?status=failed')).json);
    expect(failed.map((d) => d.event_type)).toEqual(['courseCompleted']);
    expect(rows((await admin(hub.url, `/v1/admin/deliveries?tenant=${String(first.id)}`)).json).map((d) => d.event_type)).toEqual(['userUpdated']);
    expect(rows((await admin(hub.url, '/v1/admin/deliveries?event=userUpdated')).json)).toHaveLength(1);
    const page1 = await admin(hub.url, '/v1/admin/deliveries?limit=1');
    expect(rows(page1.json)).toHaveLength(1);
    const page2 = await admin(hub.url, `/v1/admin/deliveries?limit=1&before=${String(page1.json.next_before)}`);
    expect(rows(page2.json).map((d) => d.event_type)).toEqual(['userUpdated']);
    for (const bad of ['?status=lost', '?limit=0', '?limit=500', '?tenant=xyz', "?event=a'b", '?before=-1', '?extra=1']) {
      expect({ bad, status: (await admin(hub.url, `/v1/admin/deliveries${bad}`)).status }).toEqual({ bad, status: 400 });
    }

    const detail = await admin(hub.url, `/v1/admin/deliveries/${String(failed[0].id)}`);
    expect(detail.json).toMatchObject({
      status: 'failed',
      body: VENDOR_PAYLOADS.courseCompleted,
      attempt_history: [{ attempt: 1, outcome: 'failed', status: 404, error: 'HTTP 404', at: expect.any(String) }],
    });
    expect((await admin(hub.url, '/v1/admin/deliveries/999999')).status).toBe(404);
    expect((await admin(hub.url, '/v1/admin/deliveries/abc')).status).toBe(400);
  });

  test('replay: a failed delivery goes out again with the same Webhook-Id and a fresh retry budget; pending → 409; all failed of one Zap in one call', async () => {
    const { hub, logs } = await testHub(backend, { HUB_ADMIN_KEYS: ADMIN_KEY });
    let broken = true;
    const receiver = await new Receiver(() => (broken ? 500 : 200)).start();
    const sub = await subscribe(hub.url, { event: '*', target_url: receiver.url('/zap') });
    for (let n = 0; n < 3; n += 1) await deliver(hub.inboundUrl, { version: 2, type: 'courseCompleted', data: { n } });
    await waitFor(async () => rows((await admin(hub.url, '/v1/admin/deliveries?status=failed')).json).length === 3, 15000, 'three give-ups');
    const failed = rows((await admin(hub.url, '/v1/admin/deliveries?status=failed')).json);
    const firstId = String(failed[2].id);
    const detail = await admin(hub.url, `/v1/admin/deliveries/${firstId}`);
    expect((detail.json.attempt_history as Row[]).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);

    broken = false;
    const before = receiver.requests.length;
    expect(await admin(hub.url, `/v1/admin/deliveries/${firstId}/replay`, 'POST')).toEqual({ status: 202, json: { status: 'queued' } });
    await waitFor(async () => (await admin(hub.url, `/v1/admin/deliveries/${firstId}`)).json.status === 'delivered', 10000, 'the replay');
    const resent = receiver.requests.slice(before);
    expect(resent).toHaveLength(1);
    expect(resent[0].headers['webhook-id']).toBe(detail.json.webhook_id);
    expect(((await admin(hub.url, `/v1/admin/deliveries/${firstId}`)).json.attempt_history as Row[]).map((a) => a.outcome)).toEqual([
      'retry',
      'retry',
      'failed',
      'delivered',
    ]);

    // A delivered one may be replayed too (the Zap's dedupe drops it if it already ran).
    expect((await admin(hub.url, `/v1/admin/deliveries/${firstId}/replay`, 'POST')).status).toBe(202);
    await waitFor(() => receiver.requests.length === before + 2, 10000, 'the second replay');

    // A fresh budget: a replay that fails again is retried, not given up at once.
    broken = true;
    const secondId = String(failed[1].id);
    await admin(hub.url, `/v1/admin/deliveries/${secondId}/replay`, 'POST');
    await waitFor(async () => (await admin(hub.url, `/v1/admin/deliveries/${secondId}`)).json.status === 'failed', 15000, 'the second round to end');
    expect(((await admin(hub.url, `/v1/admin/deliveries/${secondId}`)).json.attempt_history as Row[]).map((a) => a.outcome)).toEqual([
      'retry',
      'retry',
      'failed',
      'retry',
      'retry',
      'failed',
    ]);

    broken = false;
    const replayAll = await admin(hub.url, `/v1/admin/subscriptions/${String(sub.json.id)}/replay-failed`, 'POST');
    expect(replayAll).toEqual({ status: 202, json: { replayed: 2 } });
    await waitFor(async () => rows((await admin(hub.url, '/v1/admin/deliveries?status=delivered')).json).length === 3, 10000, 'every replay delivered');
    expect((await admin(hub.url, '/v1/admin/subscriptions/00000000-0000-4000-8000-000000000000/replay-failed', 'POST')).status).toBe(404);
    expect((await admin(hub.url, '/v1/admin/deliveries/999999/replay', 'POST')).status).toBe(404);

    // Still pending → 409 (the worker is stopped, so the new delivery stays pending).
    await hub.worker.stop();
    await deliver(hub.inboundUrl, { version: 2, type: 'courseCompleted', data: { n: 9 } });
    const pending = rows((await admin(hub.url, '/v1/admin/deliveries?status=pending')).json);
    expect(pending).toHaveLength(1);
    expect((await admin(hub.url, `/v1/admin/deliveries/${String(pending[0].id)}/replay`, 'POST')).status).toBe(409);

    await waitFor(() => logs.lines.some((l) => l.includes('"admin action"') && l.includes('/replay')), 10000, 'the replay to be logged');
    const actions = logs.lines.filter((l) => l.includes('"admin action"'));
    expect(actions.some((l) => l.includes('/replay') && /"admin":"key:[0-9a-f]{8}"/.test(l))).toBe(true);
    for (const line of logs.lines) expect(line).not.toContain(ADMIN_KEY);
    for (const line of logs.lines) expect(line).not.toContain(WEBHOOK_SECRET);
  }, 60000);

  test('the admin API is in /openapi.json', async () => {
    const { hub } = await testHub(backend, { HUB_ADMIN_KEYS: ADMIN_KEY });
    const openapi = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/tenants',
        '/v1/admin/deliveries',
        '/v1/admin/deliveries/{id}',
        '/v1/admin/deliveries/{id}/replay',
        '/v1/admin/subscriptions/{id}/replay-failed',
      ]),
    );
    expect(openapi.components.securitySchemes.adminKey).toBeDefined();
    expect(Object.keys(openapi.paths)).not.toContain('/admin');
  });
});
