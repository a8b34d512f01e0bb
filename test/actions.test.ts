/**
 * Every action and search against a nocked LearnWorlds API: exact requests and bodies, the
 * number of API calls each path makes (every interceptor answers once; an extra call finds no
 * match and fails the test), not found, 422, 429, 5xx, the idempotent paths, and emails that
 * need encoding.
 */
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../index';
import { API_THROTTLE, USER_BY_EMAIL_LOCK, WORST_CASE_CALLS_PER_ACTION } from '../src/actions/limits';
import { API_USER_EXAMPLE } from '../src/actions/samples';
import { parseTags, usernameFromEmail } from '../src/actions/user-body';
import { AUTH, SCHOOL, appTester } from './helpers';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

type Perform = (z: ZObject, bundle: Bundle) => unknown;

/** The perform Zapier runs for `App.creates[key]` / `App.searches[key]`: a registration mistake fails the test. */
function registered(perform: unknown, where: string): Perform {
  if (typeof perform !== 'function') throw new Error(`${where} has no perform function`);
  return (z, bundle) => Reflect.apply(perform, undefined, [z, bundle]);
}
const create = (key: string): Perform =>
  registered(Object.entries(App.creates ?? {}).find(([name]) => name === key)?.[1].operation.perform, `App.creates.${key}`);
const search = (key: string): Perform =>
  registered(Object.entries(App.searches ?? {}).find(([name]) => name === key)?.[1].operation.perform, `App.searches.${key}`);
const run = (perform: Perform, inputData: Record<string, unknown>) => appTester(perform, { authData: AUTH, inputData });
const operationOf = (action: { operation: object }): { throttle?: unknown; lock?: unknown } => action.operation;

const api = () => nock(SCHOOL, { reqheaders: { authorization: 'Bearer token-abc', 'lw-client': 'client-123' } });
const V2 = '/admin/api/v2';
const user = (overrides: Record<string, unknown> = {}) => ({ ...structuredClone(API_USER_EXAMPLE), ...overrides });

/** Emails whose path segment needs encoding, with the segment LearnWorlds must receive. */
const TRICKY_EMAILS: Array<[string, string]> = [
  ['ada+vip@example.com', 'ada%2Bvip%40example.com'],
  ["o'neil#1@example.com", 'o%27neil%231%40example.com'],
  ['plain@example.com', 'plain%40example.com'],
];

/** The error an action failed with; an AppError's JSON message ({message, code, status}) is unwrapped. */
async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; raw: string }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the action to fail');
    },
    (thrown: unknown) => (thrown instanceof Error ? thrown : new Error(String(thrown))),
  );
  let message = error.message;
  try {
    const parsed: unknown = JSON.parse(error.message);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // a plain message
  }
  return { name: error.name, message, raw: error.message };
}

describe('enroll_user', () => {
  const input = { email: 'ada.lovelace@example.com', product_type: 'course', product_id: 'javascript-101' };
  const path = `${V2}/users/ada.lovelace%40example.com`;

  test('an existing user without the product: 4 calls (the last reads the title), free by default, no email, output says what happened', async () => {
    const scope = api()
      .get(path)
      .query({ include_suspended: 'true' })
      .reply(200, user())
      .get(`${path}/products`)
      .reply(200, { data: [{ id: 'other-course', title: 'Other', type: 'course' }] })
      .post(`${path}/enrollment`, { productId: 'javascript-101', productType: 'course', price: 0, send_enrollment_email: false })
      .reply(200, { success: true })
      .get(`${V2}/courses/javascript-101`)
      .reply(200, { id: 'javascript-101', title: 'JavaScript 101' });
    const result = (await run(create('enroll_user'), input)) as Record<string, unknown>;
    scope.done();
    expect(result).toMatchObject({ already_enrolled: false, user_created: false, product: { id: 'javascript-101', type: 'course', title: 'JavaScript 101' } });
    expect(result.user).toMatchObject({ email: 'ada.lovelace@example.com', full_name: 'Ada Lovelace', created: '2023-11-14T22:13:20.250Z' });
  });

  test('a user who already has the product: 2 calls, no enrollment call', async () => {
    const scope = api()
      .get(path)
      .query(true)
      .reply(200, user())
      .get(`${path}/products`)
      .reply(200, { data: [{ id: 'javascript-101', title: 'JavaScript 101', type: 'course' }] });
    const result = await run(create('enroll_user'), input);
    scope.done();
    expect(result).toMatchObject({ already_enrolled: true, user_created: false, product: { id: 'javascript-101', type: 'course', title: 'JavaScript 101' } });
  });

  test('a new buyer is created first (username from the email, no registration email), then enrolled: 4 calls (a title LearnWorlds cannot give stays empty)', async () => {
    const scope = api()
      .get(path)
      .query(true)
      .reply(404, { error: 'Sorry the resource your trying to access does not exist.' }, { 'Content-Type': 'application/json' })
      .post(`${V2}/users`, { email: 'ada.lovelace@example.com', username: 'ada.lovelace', send_registration_email: false })
      .reply(201, user({ username: 'ada.lovelace' }))
      .post(`${path}/enrollment`, {
        productId: 'javascript-101',
        productType: 'course',
        price: 49.5,
        send_enrollment_email: true,
        justification: 'Stripe ch_1',
      })
      .reply(200, { success: true })
      .get(`${V2}/courses/javascript-101`)
      .reply(404, { error: 'not found' }, { 'Content-Type': 'application/json' });
    const result = await run(create('enroll_user'), { ...input, price: '$49.50', send_enrollment_email: true, justification: ' Stripe ch_1 ' });
    scope.done();
    expect(result).toMatchObject({ already_enrolled: false, user_created: true, product: { title: '' } });
  });

  test('the username is used as given; a duration is sent for subscriptions only', async () => {
    const scope = api()
      .get(path)
      .query(true)
      .reply(404, { error: 'not found' }, { 'Content-Type': 'application/json' })
      .post(`${V2}/users`, { email: 'ada.lovelace@example.com', username: 'Ada L', send_registration_email: false })
      .reply(201, user())
      .post(`${path}/enrollment`, {
        productId: 'gold',
        productType: 'subscription',
        price: 0,
        send_enrollment_email: false,
        duration_type: 'months',
        duration: 3,
      })
      .reply(200, { success: true })
      .get(`${V2}/subscription-plans/gold`)
      .reply(200, { id: 'gold', title: 'Gold Plan' });
    await run(create('enroll_user'), { ...input, username: ' Ada L ', product_type: 'subscription', product_id: 'gold', duration_type: 'months', duration: 3 });
    scope.done();
    api()
      .get(path)
      .query(true)
      .reply(200, user())
      .get(`${path}/products`)
      .reply(200, { data: [] })
      .post(`${path}/enrollment`, { productId: 'javascript-101', productType: 'course', price: 0, send_enrollment_email: false })
      .reply(200, { success: true })
      .get(`${V2}/courses/javascript-101`)
      .reply(200, { id: 'javascript-101', title: 'JavaScript 101' });
    await run(create('enroll_user'), { ...input, duration_type: 'months', duration: 3 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  test.each(TRICKY_EMAILS)('the email %s is encoded as one path segment (%s)', async (email, segment) => {
    const scope = api()
      .get(`${V2}/users/${segment}`)
      .query(true)
      .reply(200, user({ email }))
      .get(`${V2}/users/${segment}/products`)
      .reply(200, { data: [{ id: 'javascript-101', type: 'course' }] });
    await run(create('enroll_user'), { ...input, email });
    scope.done();
  });

  test('bad input fails before any API call, with a clear message', async () => {
    expect((await rejection(run(create('enroll_user'), { ...input, email: 'not-an-email' }))).message).toMatch(/"not-an-email" is not an email address/);
    expect((await rejection(run(create('enroll_user'), { ...input, product_type: 'ebook' }))).message).toMatch(
      /Product Type must be one of course, bundle, subscription/,
    );
    expect((await rejection(run(create('enroll_user'), { ...input, product_id: ' ' }))).message).toMatch(/Product is empty/);
    expect((await rejection(run(create('enroll_user'), { ...input, price: 'free' }))).message).toMatch(/Price must be a number/);
  });
});

describe('create_user', () => {
  test('creates with the filled-in fields only, never is_admin: 1 call', async () => {
    const scope = api()
      .post(`${V2}/users`, {
        email: 'ada+vip@example.com',
        username: 'ada_vip',
        send_registration_email: false,
        subscribed_for_marketing_emails: true,
        tags: ['vip', 'cohort 1'],
        fields: { cf_company: 'Engines', cf_team: 'blue' },
      })
      .reply(201, user({ email: 'ada+vip@example.com' }));
    const result = await run(create('create_user'), {
      email: ' ada+vip@example.com ',
      subscribed_for_marketing_emails: true,
      tags: ['vip, cohort 1', 'VIP', ''],
      fields: { company: 'Engines', cf_team: 'blue', empty: '' },
    });
    scope.done();
    expect(result).toMatchObject({ email: 'ada+vip@example.com', already_existed: false, tags_text: 'vip, newsletter' });
  });

  test('an email that already exists returns that user unchanged (already_existed): 2 calls', async () => {
    const scope = api()
      .post(`${V2}/users`)
      .reply(422, { statusCode: 422, error: 'Validation Failed', message: 'Validation Failed', errors: { email: ['The email has already been taken.'] } })
      .get(`${V2}/users/ada.lovelace%40example.com`)
      .query(true)
      .reply(200, user());
    const result = await run(create('create_user'), { email: 'ada.lovelace@example.com' });
    scope.done();
    expect(result).toMatchObject({ id: API_USER_EXAMPLE.id, already_existed: true });
  });

  test("any other 422 shows LearnWorlds' own field messages", async () => {
    api()
      .post(`${V2}/users`)
      .reply(422, { statusCode: 422, error: 'Validation Failed', errors: { username: ['The username may not be greater than 50 characters.'] } });
    const error = await rejection(run(create('create_user'), { email: 'a@example.com', username: 'x'.repeat(60) }));
    // One period at the end, not LearnWorlds' own plus ours.
    expect(error.message).toBe('LearnWorlds did not accept the values: username: The username may not be greater than 50 characters.');
  });
});

describe('update_user', () => {
  test('sends only the fields that were filled in; the answer is the user: 1 call', async () => {
    const scope = api()
      .put(`${V2}/users/6130afb278d2c94eeb228d12`, { username: 'Ada King', fields: { cf_company: 'Engines' } })
      .reply(200, user({ username: 'Ada King' }));
    const result = await run(create('update_user'), {
      user: ' 6130afb278d2c94eeb228d12 ',
      email: '',
      username: 'Ada King',
      fields: { company: 'Engines', bio: '' },
    });
    scope.done();
    expect(result).toMatchObject({ username: 'Ada King', full_name: 'Ada Lovelace' });
  });

  test('nothing filled in → a clear error and no call; an unknown user is named', async () => {
    expect((await rejection(run(create('update_user'), { user: 'a@example.com', email: ' ' }))).message).toMatch(/Nothing to update/);
    api().put(`${V2}/users/ghost%40example.com`).reply(404, { statusCode: 404, error: 'This resource is not found' });
    expect((await rejection(run(create('update_user'), { user: 'ghost@example.com', username: 'G' }))).message).toContain(
      'LearnWorlds has no user with the email "ghost@example.com"',
    );
  });
});

describe('tags', () => {
  test.each([
    ['add_user_tags', 'attach'],
    ['remove_user_tags', 'detach'],
  ])('%s: list or comma text, trimmed, empties and repeats dropped; 1 call; the user with the tags after', async (key, action) => {
    const scope = api()
      .put(`${V2}/users/ada.lovelace%40example.com/tags`, { tags: ['vip', 'cohort 1', 'beta'], action })
      .reply(200, user({ tags: ['vip', 'cohort 1', 'beta'] }));
    const result = await run(create(key), { user: 'ada.lovelace@example.com', tags: [' vip ', 'cohort 1,, Vip', 'beta', ''] });
    scope.done();
    expect(result).toMatchObject({ tags: ['vip', 'cohort 1', 'beta'], tags_text: 'vip, cohort 1, beta' });
  });

  test('no tag at all → a clear error, no call; unknown user → named', async () => {
    expect((await rejection(run(create('add_user_tags'), { user: 'a@example.com', tags: [' , '] }))).message).toMatch(/Tags is empty/);
    api().put(`${V2}/users/u404/tags`).reply(404, { error: 'not found' });
    expect((await rejection(run(create('add_user_tags'), { user: 'u404', tags: 'x' }))).message).toContain('LearnWorlds has no user with the ID "u404"');
  });
});

describe('unenroll, suspend and unsuspend are idempotent', () => {
  const path = `${V2}/users/ada.lovelace%40example.com`;
  test('unenroll: enrolled → DELETE with a JSON body (2 calls); not enrolled → success, 1 call', async () => {
    const scope = api()
      .get(`${path}/products`)
      .reply(200, { data: [{ id: 'javascript-101', title: 'JavaScript 101', type: 'course' }] })
      .delete(`${path}/enrollment`, { productId: 'javascript-101', productType: 'course' })
      .reply(204);
    const input = { user: 'ada.lovelace@example.com', product_type: 'course', product_id: 'javascript-101' };
    expect(await run(create('unenroll_user'), input)).toMatchObject({ was_enrolled: true, product: { title: 'JavaScript 101' } });
    scope.done();
    api().get(`${path}/products`).reply(200, { data: [] });
    expect(await run(create('unenroll_user'), input)).toMatchObject({ was_enrolled: false });
    expect(nock.pendingMocks()).toEqual([]);
  });

  test.each([
    ['suspend_user', 'suspend', false, true],
    ['unsuspend_user', 'unsuspend', true, false],
  ])('%s: changes a user in the other state (2 calls), leaves one already there (1 call)', async (key, verb, before, after) => {
    const scope = api()
      .get(path)
      .query({ include_suspended: 'true' })
      .reply(200, user({ is_suspended: before }))
      .put(`${path}/${verb}`)
      .reply(200, {});
    expect(await run(create(key), { user: 'ada.lovelace@example.com' })).toMatchObject({ is_suspended: after, already: false });
    scope.done();
    api()
      .get(path)
      .query(true)
      .reply(200, user({ is_suspended: after }));
    expect(await run(create(key), { user: 'ada.lovelace@example.com' })).toMatchObject({ is_suspended: after, already: true });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('searches', () => {
  test("find_user: found → [user] in the triggers' shape; not found → []; 1 call each", async () => {
    api().get(`${V2}/users/ada%2Bvip%40example.com`).query({ include_suspended: 'true' }).reply(200, user());
    const [found] = (await run(search('find_user'), { user: 'ada+vip@example.com' })) as Array<Record<string, unknown>>;
    expect(found).toMatchObject({
      id: API_USER_EXAMPLE.id,
      full_name: 'Ada Lovelace',
      last_login: '2023-11-14T23:13:20.500Z',
      utms: { fc_source: 'newsletter', lc_source: 'google' },
    });
    api().get(`${V2}/users/nobody%40example.com`).query(true).reply(404, { statusCode: 404, error: 'This resource is not found' });
    expect(await run(search('find_user'), { user: 'nobody@example.com' })).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('find_course_progress: the progress with ISO dates; not enrolled → []', async () => {
    api()
      .get(`${V2}/users/ada.lovelace%40example.com/courses/javascript-101/progress`)
      .reply(200, { status: 'completed', progress_rate: 100, completed_at: 1700500000.75, progress_per_section_unit: [] });
    const [progress] = (await run(search('find_course_progress'), { user: 'ada.lovelace@example.com', course_id: 'javascript-101' })) as Array<
      Record<string, unknown>
    >;
    expect(progress).toMatchObject({
      id: 'ada.lovelace@example.com:javascript-101',
      course_id: 'javascript-101',
      status: 'completed',
      completed_at: '2023-11-20T17:06:40.750Z',
    });
    api().get(`${V2}/users/ada.lovelace%40example.com/courses/other/progress`).reply(404, { error: 'not found' });
    expect(await run(search('find_course_progress'), { user: 'ada.lovelace@example.com', course_id: 'other' })).toEqual([]);
  });

  test('Find or Create User pairs find_user with create_user', () => {
    expect(App.searchOrCreates?.find_user).toMatchObject({
      key: 'find_user',
      search: 'find_user',
      create: 'create_user',
      display: { label: 'Find or Create User' },
    });
  });
});

describe('errors a non-developer understands', () => {
  const findAda = () => run(search('find_user'), { user: 'ada@example.com' });
  const path = `${V2}/users/ada%40example.com`;

  test('429 → ThrottledError honouring Retry-After (60 s without one)', async () => {
    api().get(path).query(true).reply(429, { error: 'Too many requests' }, { 'Retry-After': '17' });
    expect(await rejection(findAda())).toMatchObject({ name: 'ThrottledError', raw: expect.stringContaining('"delay":17') });
    api().get(path).query(true).reply(429, { error: 'Too many requests' });
    expect((await rejection(findAda())).raw).toContain('"delay":60');
  });

  test('403 → the plan message; 5xx → LearnWorlds is unavailable; an HTML 404 → the school URL', async () => {
    api().get(path).query(true).reply(403, { error: 'Forbidden' });
    expect((await rejection(findAda())).message).toContain('Learning Center plan');
    api().get(path).query(true).reply(503, { error: 'Server Error' });
    expect((await rejection(findAda())).message).toContain('LearnWorlds is unavailable right now (HTTP 503: Server Error)');
    api().get(path).query(true).reply(404, '<html>Not here</html>', { 'Content-Type': 'text/html' });
    expect((await rejection(findAda())).message).toContain('does not answer like a LearnWorlds school');
  });

  test('no error carries the credentials', async () => {
    api().post(`${V2}/users`).reply(500, { error: 'Server Error' });
    const error = await rejection(run(create('create_user'), { email: 'a@example.com', password: 'hunter2-secret' }));
    for (const secret of [AUTH.client_secret, AUTH.webhook_secret, AUTH.sessionKey, 'hunter2-secret']) expect(error.raw).not.toContain(secret);
  });
});

describe('rate limit and locks', () => {
  test('every action and search shares one throttle per connection, sized by the worst case', () => {
    expect(API_THROTTLE.limit * WORST_CASE_CALLS_PER_ACTION).toBeLessThanOrEqual(30);
    expect(API_THROTTLE).toMatchObject({ window: 10, scope: ['auth'] });
    const actions = [...Object.values(App.creates ?? {}), ...Object.values(App.searches ?? {})];
    expect(actions).toHaveLength(10);
    for (const action of actions) expect({ key: action.key, throttle: operationOf(action).throttle }).toEqual({ key: action.key, throttle: API_THROTTLE });
  });

  test('enroll_user and create_user lock on the email, per connection', () => {
    const creates = App.creates ?? {};
    for (const key of ['enroll_user', 'create_user'] as const) expect({ key, lock: operationOf(creates[key]).lock }).toEqual({ key, lock: USER_BY_EMAIL_LOCK });
    expect(USER_BY_EMAIL_LOCK).toEqual({ key: '{{bundle.inputData.email}}', scope: ['auth'] });
  });
});

test('helpers: usernames from emails, tag parsing', () => {
  expect(usernameFromEmail('ada.lovelace+vip@example.com')).toBe('ada.lovelace_vip');
  expect(usernameFromEmail('@example.com')).toBe('learner');
  expect(parseTags('a, b,,A , c')).toEqual(['a', 'b', 'c']);
  expect(parseTags(undefined)).toEqual([]);
});
