import { ConfigError, loadConfig } from '../src/config';
import { parseAllowedTargets, targetRefusal } from '../src/delivery/targets';

test('defaults', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: undefined, apiKeys: [], production: false });
  expect(config.dataDir).toMatch(/\.data\/hub$/);
  expect(config.retry).toEqual({ baseMs: 60_000, maxMs: 3_600_000, maxAttempts: 10, maxThrottleMs: 24 * 3_600_000 });
  expect(config.deliveryTimeoutMs).toBe(10_000);
  expect(targetRefusal('https://hooks.zapier.com/hooks/standard/1/2/', config.allowedTargets)).toBeUndefined();
});

test.each<[Record<string, string>, RegExp]>([
  [{ PORT: 'eighty' }, /^PORT must be a whole number/],
  [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
  [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres/],
  [{ HUB_API_KEYS: 'short' }, /^HUB_API_KEYS: every key must be at least 16/],
  [{ NODE_ENV: 'production', HUB_SECRET_KEY: 'k'.repeat(32), HUB_METRICS_TOKEN: 'm'.repeat(16) }, /^HUB_API_KEYS is required when NODE_ENV=production/],
  [{ NODE_ENV: 'production', HUB_API_KEYS: 'k'.repeat(16), HUB_METRICS_TOKEN: 'm'.repeat(16) }, /^HUB_SECRET_KEY is required when NODE_ENV=production/],
  [{ NODE_ENV: 'production', HUB_API_KEYS: 'k'.repeat(16), HUB_SECRET_KEY: 'k'.repeat(32) }, /^HUB_METRICS_TOKEN is required when NODE_ENV=production/],
  [{ HUB_METRICS_TOKEN: 'short' }, /^HUB_METRICS_TOKEN must be at least 16/],
  [{ HUB_ADMIN_KEYS: 'admin-key-0123456789,short' }, /^HUB_ADMIN_KEYS: every key must be at least 16/],
  [{ HUB_ADMIN_KEYS: 'shared-key-0123456789', HUB_API_KEYS: 'shared-key-0123456789' }, /^HUB_ADMIN_KEYS must not share a key with HUB_API_KEYS/],
  [{ HUB_TRUST_PROXY: 'a proxy' }, /^HUB_TRUST_PROXY must be/],
  [{ HUB_TENANT_CONCURRENCY: '0' }, /^HUB_TENANT_CONCURRENCY must be between/],
  [{ HUB_MAX_SUBSCRIPTIONS_PER_SCHOOL: 'many' }, /^HUB_MAX_SUBSCRIPTIONS_PER_SCHOOL must be a whole number/],
  [{ HUB_REQUEST_TIMEOUT_MS: '10' }, /^HUB_REQUEST_TIMEOUT_MS must be between/],
  [{ HUB_SECRET_KEY: 'too-short' }, /^HUB_SECRET_KEY must be at least 32/],
  [{ HUB_ALLOWED_TARGETS: 'ftp://x.com' }, /^HUB_ALLOWED_TARGETS: "ftp:\/\/x.com" must use http or https/],
  [{ HUB_ALLOWED_TARGETS: 'https://hooks.zapier.com/path' }, /^HUB_ALLOWED_TARGETS: .* must be an origin only/],
  [{ HUB_ALLOWED_TARGETS: ' , ' }, /^HUB_ALLOWED_TARGETS: needs at least one origin/],
  [{ HUB_RETRY_BASE_MS: '0' }, /^HUB_RETRY_BASE_MS must be between/],
  [{ HUB_RETRY_BASE_MS: '5000', HUB_RETRY_MAX_MS: '1000' }, /^HUB_RETRY_MAX_MS must not be smaller than HUB_RETRY_BASE_MS/],
  [
    { HUB_DELIVERY_TIMEOUT_MS: '10000', HUB_DELIVERY_LEASE_MS: '5000' },
    /^HUB_DELIVERY_LEASE_MS must be at least 2 × HUB_DELIVERY_TIMEOUT_MS \+ 1000 ms \(21000\)/,
  ],
  // Just above the timeout (the finding): a paused or slow send would outlive its claim.
  [{ HUB_DELIVERY_TIMEOUT_MS: '1000', HUB_DELIVERY_LEASE_MS: '1001' }, /^HUB_DELIVERY_LEASE_MS must be at least/],
  [{ HUB_WORKER: 'maybe' }, /^HUB_WORKER must be "on" or "off"/],
  [{ HUB_WORKER: 'off' }, /^HUB_WORKER=off needs DATABASE_URL/],
])('%p is refused with a message naming the setting', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

test('a refused secret setting is not echoed', () => {
  expect(() => loadConfig({ HUB_SECRET_KEY: 'my-short-secret' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('my-short-secret') }));
});

test('production starts with every required setting; trusted proxies and limits are read', () => {
  const config = loadConfig({
    NODE_ENV: 'production',
    HUB_API_KEYS: 'k'.repeat(16),
    HUB_SECRET_KEY: 'k'.repeat(32),
    HUB_METRICS_TOKEN: 'm'.repeat(16),
    HUB_TRUST_PROXY: '10.0.0.0/8, loopback',
    HUB_CONCURRENCY: '32',
  });
  expect(config).toMatchObject({
    metricsTokens: ['m'.repeat(16)],
    trustProxy: '10.0.0.0/8,loopback',
    tenantConcurrency: 24,
    maxSubscriptionsPerSchool: 250,
    requestTimeoutMs: 15_000,
  });
  expect(loadConfig({}).trustProxy).toBe(false);
});

test('a bad HUB_ALLOWED_TARGETS entry is never echoed with its credentials', () => {
  for (const entry of [
    'https://admin:hunter2secret@hooks.zapier.com',
    'https://admin:hunter2secret@hooks.zapier.com:99999',
    'ftp://admin:hunter2secret@x.com',
  ]) {
    let message = '';
    try {
      loadConfig({ HUB_ALLOWED_TARGETS: entry });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^HUB_ALLOWED_TARGETS: /);
    expect(message).not.toContain('hunter2secret');
    expect(message).not.toContain('admin');
  }
});

test('allow-list rules', () => {
  const rules = parseAllowedTargets('https://hooks.zapier.com, http://127.0.0.1:4000, http://localhost:*');
  expect(targetRefusal('https://hooks.zapier.com/x', rules)).toBeUndefined();
  expect(targetRefusal('https://HOOKS.zapier.com/x', rules)).toBeUndefined();
  expect(targetRefusal('http://127.0.0.1:4000/x', rules)).toBeUndefined();
  expect(targetRefusal('http://localhost:9/x', rules)).toBeUndefined();
  for (const refused of [
    'http://hooks.zapier.com/x',
    'https://hooks.zapier.com:8443/x',
    'https://hooks.zapier.com.evil.com/x',
    'https://evil.com/hooks.zapier.com',
    'http://127.0.0.1:4001/x',
    'https://127.0.0.1/x',
    'http://[::1]:4000/x',
    'file:///etc/passwd',
  ]) {
    expect({ refused, why: targetRefusal(refused, rules) }).toEqual({ refused, why: expect.stringMatching(/allowed origin|not a URL/) });
  }
});

test('HUB_MAX_THROTTLE_HOURS takes hours, fractions too, and refuses anything else', () => {
  expect(loadConfig({ HUB_MAX_THROTTLE_HOURS: '0.5' }).retry.maxThrottleMs).toBe(1_800_000);
  // Pacing: Zapier's intake (about 30/s per hook, 10,000-20,000 per 5 minutes per user), with a margin.
  expect(loadConfig({}).pacing).toEqual({ targetRatePerSecond: 25, accountLimit: 10_000, accountWindowMs: 300_000 });
  expect(loadConfig({ HUB_TARGET_RATE_PER_SECOND: '2.5', HUB_ACCOUNT_RATE_LIMIT: '500', HUB_ACCOUNT_RATE_WINDOW_SECONDS: '60' }).pacing).toEqual({
    targetRatePerSecond: 2.5,
    accountLimit: 500,
    accountWindowMs: 60_000,
  });
  expect(() => loadConfig({ HUB_TARGET_RATE_PER_SECOND: '0' })).toThrow(/HUB_TARGET_RATE_PER_SECOND/);
  expect(() => loadConfig({ HUB_ACCOUNT_RATE_LIMIT: 'lots' })).toThrow(/HUB_ACCOUNT_RATE_LIMIT/);
  expect(() => loadConfig({ HUB_MAX_THROTTLE_HOURS: 'a day' })).toThrow('HUB_MAX_THROTTLE_HOURS must be a number such as 24 or 0.5, got "a day"');
  expect(() => loadConfig({ HUB_MAX_THROTTLE_HOURS: '0' })).toThrow('HUB_MAX_THROTTLE_HOURS must be between 0.0001 and 720, got 0');
});
