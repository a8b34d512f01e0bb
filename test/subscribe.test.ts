import nock from 'nock';
import { hookTrigger } from '../triggers';
import { AUTH, WEBHOOK_SECRET, appTester } from './helpers';

const HUB = 'https://hub.example.com';
const TARGET = 'https://hooks.zapier.com/hooks/standard/1/abc/';
const trigger = hookTrigger;

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  process.env.HUB_URL = `${HUB}/`;
  process.env.HUB_API_KEY = 'hub-key-1';
});
afterEach(() => {
  nock.cleanAll();
  delete process.env.HUB_URL;
  delete process.env.HUB_API_KEY;
});

test('performSubscribe POSTs the contract body with the bearer key and returns the subscription', async () => {
  const created = {
    id: 'sub_123',
    event: 'courseCompleted',
    target_url: TARGET,
    filters: { course_id: 'sample-course' },
    created_at: '2026-11-26T10:00:00.000Z',
  };
  const scope = nock(HUB, { reqheaders: { authorization: 'Bearer hub-key-1', 'content-type': /application\/json/ } })
    .post('/v1/subscriptions', {
      event: 'courseCompleted',
      target_url: TARGET,
      school_url: 'https://myschool.learnworlds.com',
      webhook_secret: WEBHOOK_SECRET,
      filters: { course_id: 'sample-course' },
    })
    .reply(201, created);
  const result = await appTester(trigger('course_completed').performSubscribe, {
    authData: { ...AUTH, webhook_secret: `v1=${WEBHOOK_SECRET}` },
    inputData: { course_id: 'sample-course' },
    targetUrl: TARGET,
  });
  expect(result).toEqual(created);
  scope.done();
});

test('any_event subscribes to "*" with no filters', async () => {
  const scope = nock(HUB)
    .post('/v1/subscriptions', (body: Record<string, unknown>) => body.event === '*' && JSON.stringify(body.filters) === '{}')
    .reply(201, { id: 'sub_all', event: '*', target_url: TARGET, created_at: '2026-11-26T10:00:00.000Z' });
  await appTester(trigger('any_event').performSubscribe, { authData: AUTH, targetUrl: TARGET });
  scope.done();
});

test('a refused subscription surfaces the hub message, without secrets', async () => {
  nock(HUB).post('/v1/subscriptions').reply(400, { error: 'bad_request', message: 'target_url is not allowed' });
  const error = (await appTester(trigger('course_completed').performSubscribe, { authData: AUTH, targetUrl: TARGET }).catch((e: Error) => e)) as Error;
  expect(error.message).toContain('target_url is not allowed');
  expect(error.message).not.toContain(WEBHOOK_SECRET);
});

test('a wrong hub key is reported as such, not as a LearnWorlds login problem', async () => {
  nock(HUB).post('/v1/subscriptions').reply(401, { error: 'unauthorized', message: 'missing or wrong API key' });
  await expect(appTester(trigger('course_completed').performSubscribe, { authData: AUTH, targetUrl: TARGET })).rejects.toThrow(/rejected HUB_API_KEY/);
});

test.each([
  ['HUB_URL', 'HUB_URL'],
  ['HUB_API_KEY', 'HUB_API_KEY'],
])('a missing %s gives a clear error at subscribe time', async (name, expected) => {
  delete process.env[name];
  await expect(appTester(trigger('course_completed').performSubscribe, { authData: AUTH, targetUrl: TARGET })).rejects.toThrow(
    new RegExp(`${expected} is not set.*zapier-platform env:set`),
  );
});

test('performUnsubscribe DELETEs with the bearer key and X-Webhook-Secret', async () => {
  const scope = nock(HUB, { reqheaders: { authorization: 'Bearer hub-key-1', 'x-webhook-secret': WEBHOOK_SECRET } })
    .delete('/v1/subscriptions/sub_123')
    .reply(204);
  const result = await appTester(trigger('course_completed').performUnsubscribe, { authData: AUTH, subscribeData: { id: 'sub_123' } });
  expect(result).toEqual({ id: 'sub_123', removed: true });
  scope.done();
});

test('a 404 on unsubscribe is not an error', async () => {
  nock(HUB).delete('/v1/subscriptions/sub_gone').reply(404, { error: 'not_found', message: 'no such subscription' });
  const result = await appTester(trigger('course_completed').performUnsubscribe, { authData: AUTH, subscribeData: { id: 'sub_gone' } });
  expect(result).toEqual({ id: 'sub_gone', removed: false });
});

test('a hub failure on unsubscribe is an error', async () => {
  nock(HUB).delete('/v1/subscriptions/sub_1').reply(500, { error: 'internal', message: 'database unavailable' });
  await expect(appTester(trigger('course_completed').performUnsubscribe, { authData: AUTH, subscribeData: { id: 'sub_1' } })).rejects.toThrow(
    /database unavailable/,
  );
});
