/**
 * The operator console in a real headless browser (Debian's Chromium, driven by playwright-core):
 * sign in, find a failed delivery whose body carries an <img onerror> payload and see it shown
 * as text, replay it, see it turn delivered. Set UPDATE_CONSOLE_SCREENSHOT=1 to rewrite
 * docs/console.png (the picture in docs/operators.md) from this run.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { API_KEY, Receiver, deliver, runCleanups, subscribe, testHub, waitFor } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_KEY = 'console-admin-key-0123456789';
const PAYLOAD = '<img src=x onerror=window.__pwned=1>';
const OTHER_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f';

let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; npm test does it when run as root)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60000);

afterAll(async () => {
  await browser?.close();
});
afterEach(runCleanups);

test('sign in, see a hostile body as text, replay a failed delivery, see it delivered', async () => {
  const { hub, logs } = await testHub('embedded', { HUB_ADMIN_KEYS: ADMIN_KEY, HUB_RETRY_MAX_ATTEMPTS: '1' });
  let broken = true;
  const receiver = await new Receiver(() => (broken ? 500 : 200)).start();
  await subscribe(hub.url, { event: '*', target_url: receiver.url('/hooks/standard/1234/abcdef/') });
  await subscribe(
    hub.url,
    { event: 'userUpdated', target_url: receiver.url('/hooks/standard/999/other/'), school_url: 'academy.example.com' },
    API_KEY,
    OTHER_SECRET,
  );
  const hostile = {
    version: 2,
    type: 'courseCompleted',
    school_id: 's1',
    data: { course: { id: 'javascript-101', title: PAYLOAD }, user: { email: 'mallory@example.com', username: PAYLOAD } },
  };
  expect((await deliver(hub.inboundUrl, hostile)).status).toBe(202);
  await waitFor(async () => (await hub.db.query(`SELECT 1 FROM deliveries WHERE status = 'failed'`)).rows.length === 1, 10000, 'the failure');
  broken = false;
  await deliver(hub.inboundUrl, { version: 2, type: 'userUpdated', data: { user: { email: 'ada@example.com', username: 'ada' } } }, `v1=${OTHER_SECRET}`);
  await waitFor(async () => (await hub.db.query(`SELECT 1 FROM deliveries WHERE status = 'delivered'`)).rows.length === 1, 10000, 'the other delivery');
  broken = false;

  const page = await browser!.newPage({ viewport: { width: 1360, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });

  await page.goto(`${hub.url}/admin`);
  await page.getByLabel(/Admin key/).fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#schools tbody tr').first().waitFor();
  expect(await page.locator('#schools tbody tr').count()).toBe(2);
  expect(page.url()).toBe(`${hub.url}/admin`); // the key never enters the URL
  await page.locator('#targets tbody td', { hasText: 'every Zap is keeping up' }).waitFor(); // no Zap throttled or behind

  await page.getByLabel('Status').selectOption('failed');
  // The filtered list replaces the whole table: wait for it (the failed one only).
  // Locators, not waitForFunction: that evaluates its predicate with eval in the page, which the
  // console's CSP (script-src 'self') refuses on current Chromium.
  const listed = page.locator('#deliveries tbody tr');
  await waitFor(
    async () => (await listed.count()) === 1 && (await listed.first().locator('.badge').textContent()) === 'failed',
    15000,
    'the filtered delivery table',
  );
  const row = page.locator('#deliveries tbody tr', { hasText: 'courseCompleted' });
  await row.waitFor();
  await row.getByRole('button', { name: /Details of delivery/ }).click();
  await page.locator('#detail-body').waitFor();

  // The payload is text: visible as typed, no <img> anywhere, its handler never ran.
  expect(await page.locator('#detail-body').textContent()).toContain(PAYLOAD);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate("'__pwned' in window")).toBe(false);
  expect(await page.locator('#detail .badge').textContent()).toBe('failed');
  expect(await page.locator('#attempts tbody tr').count()).toBe(1);

  await page.getByRole('button', { name: 'Replay this delivery' }).click();
  await page.getByLabel('Status').selectOption('');
  const deadline = Date.now() + 15000;
  while ((await page.locator('#detail .badge').textContent()) !== 'delivered') {
    if (Date.now() > deadline) throw new Error('the replayed delivery never turned delivered in the page');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(300);
  }
  expect(await page.locator('#attempts tbody tr').count()).toBe(2);
  expect(await page.locator('#deliveries tbody tr.selected .badge').textContent()).toBe('delivered');
  expect(receiver.requests.filter((r) => r.path.includes('abcdef'))).toHaveLength(2);

  // Keyboard: the filters and buttons are reachable and labelled.
  await page.getByRole('combobox', { name: /^School/ }).focus();
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('filter-tenant');

  const shot = process.env.UPDATE_CONSOLE_SCREENSHOT
    ? join(__dirname, '..', '..', 'docs', 'console.png')
    : join(mkdtempSync(join(tmpdir(), 'lw-console-')), 'console.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(existsSync(shot)).toBe(true);

  expect(pageErrors).toEqual([]);
  for (const line of logs.lines) expect(line).not.toContain(ADMIN_KEY);
  await page.close();
}, 90000);
