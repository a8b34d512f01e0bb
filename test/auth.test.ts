import nock from 'nock';
import App from '../index';
import { getAccessToken, testConnection } from '../src/api/authentication';
import { normaliseSchoolUrl } from '../contract/school-url';
import { isJsonObject } from '../contract/json';
import { HOOK_TRIGGERS } from '../triggers';
import { AUTH, SCHOOL, appTester } from './helpers';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const { sessionKey: _token, ...credentials } = AUTH;

describe('school URL normalisation', () => {
  test.each([
    ['myschool.learnworlds.com', 'https://myschool.learnworlds.com'],
    ['  MySchool.LearnWorlds.com  ', 'https://myschool.learnworlds.com'],
    ['https://academy.example.com/', 'https://academy.example.com'],
    ['http://academy.example.com/courses?x=1', 'https://academy.example.com'],
    ['https://myschool.learnworlds.com/admin/api/v2', 'https://myschool.learnworlds.com'],
    ['https://myschool.learnworlds.com/admin/api/', 'https://myschool.learnworlds.com'],
  ])('%s → %s', (input, expected) => expect(normaliseSchoolUrl(input)).toBe(expected));

  test.each(['', '   ', 'not a url', 'ftp://school.com', 'https://localhost', 'https://x'])('rejects %p with a clear message', (input) => {
    expect(() => normaliseSchoolUrl(input)).toThrow(/school URL|school domain|web address/);
  });
});

describe('session: token exchange', () => {
  test('POSTs the client credentials with Lw-Client and returns the session key', async () => {
    const scope = nock(SCHOOL, { reqheaders: { 'lw-client': 'client-123' } })
      .post('/admin/api/oauth2/access_token', { client_id: 'client-123', client_secret: 'client-secret-xyz', grant_type: 'client_credentials' })
      .reply(200, { tokenData: { access_token: 'fresh-token', token_type: 'Bearer', expires_in: 8000 }, errors: [], success: true });
    const result = await appTester(getAccessToken, { authData: credentials });
    expect(result).toEqual({ sessionKey: 'fresh-token' });
    scope.done();
  });

  test.each([
    [
      400,
      { errors: [{ code: 400, context: 'client_id', message: 'Missing client_id or client cannot be found.' }], success: false },
      /did not accept the Client ID and Client Secret/,
    ],
    [401, { errors: [{ code: '401', context: 'access_denied', message: 'nope' }], success: false }, /did not accept the Client ID and Client Secret/],
    [403, { error: 'Forbidden' }, /only available on the Learning Center plan/],
    [404, '<html>Not found</html>', /does not answer like a LearnWorlds school/],
    [429, { error: 'Too many requests' }, /rate limit/],
    [503, { message: 'Down for maintenance' }, /LearnWorlds is unavailable right now \(HTTP 503: Down for maintenance\)\. Try again later\./],
  ])('a %i answer becomes a clear error', async (status, body, message) => {
    // A refusal is asked again in the other form (data=); every other answer is final at once.
    const scope = nock(SCHOOL)
      .post('/admin/api/oauth2/access_token')
      .times(status === 400 || status === 401 ? 2 : 1)
      .reply(status, body as nock.Body);
    const error = await appTester(getAccessToken, { authData: credentials }).catch((e: Error) => e);
    expect(scope.isDone()).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('client-secret-xyz');
  });

  test('a school whose token endpoint wants the form field data= is connected on the second try; both refused names both forms', async () => {
    const json = { client_id: 'client-123', client_secret: 'client-secret-xyz', grant_type: 'client_credentials' };
    const scope = nock(SCHOOL, { reqheaders: { 'lw-client': 'client-123' } })
      .post('/admin/api/oauth2/access_token', json)
      .reply(400, { errors: [{ code: 400, message: 'Missing client_id' }], success: false })
      .post(
        '/admin/api/oauth2/access_token',
        (body: unknown) => isJsonObject(body) && typeof body.data === 'string' && /"client_id":"client-123"/.test(body.data),
      )
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { tokenData: { access_token: 'form-token' }, success: true });
    expect(await appTester(getAccessToken, { authData: credentials })).toEqual({ sessionKey: 'form-token' });
    expect(scope.isDone()).toBe(true);

    nock(SCHOOL).post('/admin/api/oauth2/access_token').times(2).reply(401, { errors: [], success: false });
    await expect(appTester(getAccessToken, { authData: credentials })).rejects.toThrow(
      'LearnWorlds did not accept the Client ID and Client Secret. Copy both again from Settings → Developers → API in your school (tried a JSON body and the form field data=).',
    );
  });

  test('a school that cannot be reached is a wrong-school-URL error', async () => {
    nock(SCHOOL).post('/admin/api/oauth2/access_token').replyWithError('getaddrinfo ENOTFOUND myschool.learnworlds.com');
    await expect(appTester(getAccessToken, { authData: credentials })).rejects.toThrow(/Could not reach myschool.learnworlds.com/);
  });

  test('an invalid school URL fails before any request', async () => {
    await expect(appTester(getAccessToken, { authData: { ...credentials, school_url: 'not a url' } })).rejects.toThrow(/not a web address/);
  });
});

describe('API requests', () => {
  test('the connection test is a cheap real call with Bearer and Lw-Client', async () => {
    const scope = nock(SCHOOL, { reqheaders: { authorization: 'Bearer token-abc', 'lw-client': 'client-123' } })
      .get('/admin/api/v2/users')
      .query({ items_per_page: '1' })
      .reply(200, { data: [], meta: { page: 1, totalItems: 0, totalPages: 0, itemsPerPage: 1 } });
    // No hub configured here (HUB_URL unset): the test still passes, and says so.
    expect(await appTester(testConnection, { authData: AUTH })).toEqual({ school: 'myschool.learnworlds.com', hub: 'hub not configured' });
    scope.done();
  });

  test('a 401 asks Zapier to refresh the session', async () => {
    nock(SCHOOL).get('/admin/api/v2/users').query(true).reply(401, { error: 'Unauthenticated' });
    await expect(appTester(testConnection, { authData: AUTH })).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });

  test.each([
    [403, { error: 'Forbidden' }, 'ApiNotInPlan'],
    [429, { error: 'Too many requests' }, 'ThrottledError'],
    [404, '<html></html>', 'WrongSchoolUrl'],
    [502, '<html>Bad gateway</html>', 'LearnWorldsUnavailable'],
    [400, { message: 'items_per_page is invalid' }, 'LearnWorlds refused the request (HTTP 400): items_per_page is invalid.'],
  ])('a %i answer is mapped', async (status, body, kind) => {
    nock(SCHOOL)
      .get('/admin/api/v2/users')
      .query(true)
      .reply(status, body as nock.Body, { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json' });
    const error = (await appTester(testConnection, { authData: AUTH }).catch((e: Error) => e)) as Error;
    expect(`${error.name} ${error.message}`).toContain(kind);
  });

  test('requests to other hosts (the hub) get no LearnWorlds credentials', async () => {
    const scope = nock('https://hub.example.com', { badheaders: ['lw-client', 'authorization'] })
      .get('/x')
      .reply(200, {});
    await appTester(async (z) => (await z.request({ url: 'https://hub.example.com/x' })).status, { authData: AUTH });
    scope.done();
  });

  test('the webhook signature is required by the connection test', async () => {
    await expect(appTester(testConnection, { authData: { ...AUTH, webhook_secret: ' v1= ' } })).rejects.toThrow(/webhook signature/);
  });

  test.each([
    ['a', /webhook signature is too short \(1 characters/],
    ['v1=0123456789abcdef', /webhook signature is too short \(16 characters/],
    ['0123456789abcdef 0123456789abcdef', /must be printable characters without spaces/],
  ])('a webhook signature like %p is refused by the connection test before any request', async (secret, message) => {
    await expect(appTester(testConnection, { authData: { ...AUTH, webhook_secret: secret } })).rejects.toThrow(message);
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('the connection label names the school', async () => {
    const label = App.authentication?.connectionLabel as (z: unknown, b: { authData: Record<string, string> }) => Promise<string>;
    await expect(label({}, { authData: AUTH })).resolves.toBe('myschool.learnworlds.com');
  });
});

test('every trigger shares the one authentication and the signature wrapper', () => {
  expect(App.authentication?.type).toBe('session');
  const fieldKeys = (App.authentication?.fields ?? []).map((f) => f.key);
  expect(fieldKeys).toEqual(['school_url', 'client_id', 'client_secret', 'webhook_secret']);
  const types = Object.fromEntries((App.authentication?.fields ?? []).map((f) => [f.key, f.type]));
  expect(types).toMatchObject({ client_secret: 'password', webhook_secret: 'password' });
  expect(HOOK_TRIGGERS).toHaveLength(18);
});
