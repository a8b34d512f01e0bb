import nock from 'nock';
import { flattenKeys } from '../src/common/output-fields';
import { sampleFor } from '../src/webhooks/samples';
import { hookTrigger } from '../triggers';
import { AUTH, SCHOOL, appTester } from './helpers';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const trigger = hookTrigger;
const keysOf = (item: Record<string, unknown>) =>
  new Set(
    flattenKeys(item as never)
      .map(([k]) => k)
      .filter((k) => !k.includes('__cf_')),
  );

const apiUser = {
  id: 'u1',
  email: 'ada@example.com',
  username: 'ada',
  first_name: 'Ada',
  last_name: 'Lovelace',
  created: 1700000000.25,
  last_login: 1700001000,
  tags: ['vip'],
  utms: { fc_utm_source: 'newsletter', lc_utm_source: null },
  fields: { bio: null, cf_team: 'blue' },
  role: { level: 'user', name: 'User' },
};

const apiPayment = {
  id: 'p1',
  transaction_id: 'Added by admin',
  type: 'one-off',
  product: { id: 'webex', type: 'course', name: 'Webex' },
  price: 100,
  discount: 0,
  user_id: 'u1',
  paid_at: 1700000100.5,
  created: 1700000100.4,
  refund_at: null,
};

test('user_updated lists recent users in the live item shape', async () => {
  const scope = nock(SCHOOL, { reqheaders: { authorization: 'Bearer token-abc', 'lw-client': 'client-123' } })
    .get('/admin/api/v2/users')
    .query({ items_per_page: '3' })
    .reply(200, { data: [apiUser], meta: { page: 1, totalItems: 1, totalPages: 1, itemsPerPage: 3 } });
  const items = await appTester(trigger('user_updated').performList, { authData: AUTH });
  scope.done();
  expect(items).toHaveLength(1);
  const item = items[0];
  expect(item).toMatchObject({
    event_type: 'userUpdated',
    event_trigger: 'user_updated',
    user: { id: 'u1', full_name: 'Ada Lovelace', created: '2023-11-14T22:13:20.250Z', utms: { fc_source: 'newsletter' } },
  });
  // Same structure as the hook payload: every key the live item has is one the sample has.
  const sampleKeys = keysOf(sampleFor(trigger('user_updated').spec));
  for (const key of keysOf(item)) expect(sampleKeys).toContain(key);
});

test('payment_created lists recent payments with their user', async () => {
  nock(SCHOOL)
    .get('/admin/api/v2/payments')
    .query({ items_per_page: '3', product_id: 'webex' })
    .reply(200, { data: [apiPayment], meta: {} });
  nock(SCHOOL).get('/admin/api/v2/users/u1').reply(200, apiUser);
  const [item] = await appTester(trigger('payment_created').performList, { authData: AUTH, inputData: { product_id: 'webex' } });
  expect(item).toMatchObject({ event_type: 'paymentCreated', payment: { id: 'p1', paid_at: '2023-11-14T22:15:00.500Z' }, user: { email: 'ada@example.com' } });
});

test('lead_captured lists recent leads', async () => {
  nock(SCHOOL)
    .get('/admin/api/v2/leads')
    .reply(200, { data: [{ email: 'lead@example.com', first_name: 'Lea', last_name: null, tags: [], created: 1700000000 }], meta: {} });
  const [item] = await appTester(trigger('lead_captured').performList, { authData: AUTH });
  expect(item).toMatchObject({ event_type: 'leadCreated', user: { email: 'lead@example.com', full_name: 'Lea', created: '2023-11-14T22:13:20.000Z' } });
});

test('certificate_awarded reads certificates only when a course is chosen', async () => {
  nock(SCHOOL)
    .get('/admin/api/v2/certificates')
    .query({ course_id: 'c1' })
    .reply(200, { data: [{ id: 'cert1', course_id: 'c1', issued: 1700000000, user: { id: 'u1', email: 'ada@example.com' } }] });
  nock(SCHOOL).get('/admin/api/v2/users/u1').reply(200, apiUser);
  const [item] = await appTester(trigger('certificate_awarded').performList, { authData: AUTH, inputData: { course_id: 'c1' } });
  expect(item).toMatchObject({ certificate: { id: 'cert1', issued: '2023-11-14T22:13:20.000Z' }, user: { full_name: 'Ada Lovelace' } });
  const withoutCourse = await appTester(trigger('certificate_awarded').performList, { authData: AUTH });
  expect(withoutCourse).toEqual([sampleFor(trigger('certificate_awarded').spec)]);
});

test('an empty API answer falls back to the sample', async () => {
  nock(SCHOOL).get('/admin/api/v2/users').query(true).reply(200, { data: [], meta: {} });
  expect(await appTester(trigger('user_updated').performList, { authData: AUTH })).toEqual([sampleFor(trigger('user_updated').spec)]);
});

test('events the API cannot list return the static sample without any request', async () => {
  const items = await appTester(trigger('course_completed').performList, { authData: AUTH });
  expect(items).toEqual([sampleFor(trigger('course_completed').spec)]);
});

test('dynamic dropdowns list courses and products', async () => {
  const { listCourses, listProducts } = await import('../src/api/dropdowns');
  nock(SCHOOL)
    .get('/admin/api/v2/courses')
    .query({ page: '1' })
    .reply(200, { data: [{ id: 'c1', title: 'Course One' }], meta: {} });
  const courses = await appTester(listCourses, { authData: AUTH });
  expect(courses).toEqual([{ id: 'c1', title: 'Course One' }]);
  nock(SCHOOL)
    .get('/admin/api/v2/courses')
    .query(true)
    .reply(200, { data: [{ id: 'c1', title: 'Course One' }] });
  nock(SCHOOL)
    .get('/admin/api/v2/bundles')
    .query(true)
    .reply(200, { data: [{ id: 'b1', title: 'Bundle' }] });
  nock(SCHOOL)
    .get('/admin/api/v2/subscription-plans')
    .query(true)
    .reply(200, { data: [{ id: 's1', title: 'Monthly' }] });
  expect(await appTester(listProducts, { authData: AUTH })).toEqual([
    { id: 'c1', title: 'Course One (course)' },
    { id: 'b1', title: 'Bundle (bundle)' },
    { id: 's1', title: 'Monthly (subscription)' },
  ]);
});

test("the actions' product dropdown lists the products of the chosen type only", async () => {
  const { listProductsOfType } = await import('../src/api/dropdowns');
  nock(SCHOOL)
    .get('/admin/api/v2/subscription-plans')
    .query({ page: '1' })
    .reply(200, { data: [{ id: 's1', title: 'Monthly' }] });
  expect(await appTester(listProductsOfType, { authData: AUTH, inputData: { product_type: 'subscription' } })).toEqual([{ id: 's1', title: 'Monthly' }]);
  nock(SCHOOL)
    .get('/admin/api/v2/bundles')
    .query({ page: '2' })
    .reply(200, { data: [{ id: 'b2', title: 'Bundle Two' }] });
  expect(await appTester(listProductsOfType, { authData: AUTH, inputData: { product_type: 'bundle' }, meta: { page: 1 } })).toEqual([
    { id: 'b2', title: 'Bundle Two' },
  ]);
  expect(nock.pendingMocks()).toEqual([]);
});

test("a dropdown stops at meta.totalPages (an endpoint may repeat its last page), and a 5xx is the actions' friendly message", async () => {
  const { listCourses } = await import('../src/api/dropdowns');
  const lastPage = { data: [{ id: 'c9', title: 'Last' }], meta: { page: 2, totalPages: 2 } };
  nock(SCHOOL).get('/admin/api/v2/courses').query({ page: '2' }).reply(200, lastPage);
  nock(SCHOOL).get('/admin/api/v2/courses').query({ page: '3' }).reply(200, lastPage);
  expect(await appTester(listCourses, { authData: AUTH, meta: { page: 1 } })).toEqual([{ id: 'c9', title: 'Last' }]);
  expect(await appTester(listCourses, { authData: AUTH, meta: { page: 2 } })).toEqual([]);
  nock(SCHOOL).get('/admin/api/v2/courses').query(true).reply(503, { message: 'Service Unavailable' });
  await expect(appTester(listCourses, { authData: AUTH })).rejects.toThrow(
    'LearnWorlds is unavailable right now (HTTP 503: Service Unavailable). Try again later.',
  );
});

test('a trigger test whose API fallback answers 5xx or cannot be reached shows the sample, with a log line', async () => {
  nock(SCHOOL).get('/admin/api/v2/users').query(true).reply(500, { error: 'Internal Server Error' });
  expect(await appTester(trigger('user_updated').performList, { authData: AUTH, inputData: {} })).toEqual([sampleFor(trigger('user_updated').spec)]);
  nock(SCHOOL).get('/admin/api/v2/payments').query(true).replyWithError('connect ECONNREFUSED');
  expect(await appTester(trigger('payment_created').performList, { authData: AUTH, inputData: {} })).toEqual([sampleFor(trigger('payment_created').spec)]);
});
