/**
 * Session authentication shared by every trigger: the API client credentials are exchanged for
 * an access token (OAuth2 client-credentials); Zapier re-runs the exchange on any 401.
 */
import type { Authentication, Bundle, HttpResponse, ZObject } from 'zapier-platform-core';
import { callApi } from './client';
import { WRONG_SCHOOL_MESSAGE } from './failures';
import { TOKEN_PATH } from './middleware';
import { isJsonObject } from '../../contract/json';
import { SchoolUrlError, normaliseSchoolUrl, schoolHost } from '../../contract/school-url';
import { normaliseWebhookSecret, webhookSecretProblem } from '../../contract';
import { type SchoolRegistration, registerSchool } from '../webhooks/hub-client';

export const CREDENTIALS_MESSAGE =
  'LearnWorlds did not accept the Client ID and Client Secret. Copy both again from Settings → Developers → API in your school.';

function school(z: ZObject, bundle: Bundle): string {
  try {
    return normaliseSchoolUrl(bundle.authData.school_url);
  } catch (error) {
    if (error instanceof SchoolUrlError) throw new z.errors.Error(error.message, 'InvalidSchoolUrl', 400);
    throw error;
  }
}

function tokenFrom(response: HttpResponse): string | undefined {
  const data: unknown = response.data;
  if (!isJsonObject(data)) return undefined;
  const tokenData = isJsonObject(data.tokenData) ? data.tokenData : data;
  return typeof tokenData.access_token === 'string' && tokenData.access_token !== '' ? tokenData.access_token : undefined;
}

/** The two forms LearnWorlds' token endpoint is known to take: a JSON body, or that JSON inside a form field `data=` (the v1 docs). */
const TOKEN_FORMS = [
  { name: 'a JSON body', contentType: 'application/json', body: (json: string) => json },
  { name: 'the form field data=', contentType: 'application/x-www-form-urlencoded', body: (json: string) => `data=${encodeURIComponent(json)}` },
] as const;

/** An answer that says "these credentials, in this form, are not accepted" (worth the other form). */
const refusedStatus = (status: number): boolean => status === 400 || status === 401 || status === 415 || status === 422;

export async function getAccessToken(z: ZObject, bundle: Bundle): Promise<{ sessionKey: string }> {
  const origin = school(z, bundle);
  const clientId = (bundle.authData.client_id ?? '').trim();
  const clientSecret = (bundle.authData.client_secret ?? '').trim();
  if (!clientId || !clientSecret) throw new z.errors.Error(CREDENTIALS_MESSAGE, 'InvalidCredentials', 401);
  const json = JSON.stringify({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' });
  for (const form of TOKEN_FORMS) {
    let response: HttpResponse;
    try {
      response = await z.request({
        url: `${origin}${TOKEN_PATH}`,
        method: 'POST',
        headers: { 'Lw-Client': clientId, 'Content-Type': form.contentType, Accept: 'application/json' },
        body: form.body(json),
        skipThrowForStatus: true,
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      // Session auth turns a 401 into RefreshAuthError: a refusal, like the statuses below.
      if (name === 'RefreshAuthError') continue;
      // 429, 403, a 404 from no school and 5xx, as every call to the school reports them (failures.ts).
      if (name === 'ThrottledError' || name === 'AppError') throw error;
      throw new z.errors.Error(`Could not reach ${new URL(origin).host}. ${WRONG_SCHOOL_MESSAGE}`, 'WrongSchoolUrl', 502);
    }
    const token = tokenFrom(response);
    if (response.status === 200 && token) return { sessionKey: token };
    if (!refusedStatus(response.status)) throw new z.errors.Error(WRONG_SCHOOL_MESSAGE, 'WrongSchoolUrl', response.status);
  }
  const tried = TOKEN_FORMS.map((f) => f.name).join(' and ');
  throw new z.errors.Error(`${CREDENTIALS_MESSAGE.replace(/\.$/, '')} (tried ${tried}).`, 'InvalidCredentials', 401);
}

/**
 * The connection test: one cheap real API call (there is no /me endpoint), then the school's
 * registration with the hub (which never fails the test for a hub outage: see registerSchool).
 */
export async function testConnection(z: ZObject, bundle: Bundle): Promise<{ school: string; hub: SchoolRegistration }> {
  const secret = normaliseWebhookSecret(bundle.authData.webhook_secret ?? '');
  if (secret === '') {
    throw new z.errors.Error('Enter the webhook signature from Settings → Developers → Webhooks.', 'MissingWebhookSecret', 400);
  }
  const problem = webhookSecretProblem(secret);
  if (problem) throw new z.errors.Error(`The webhook signature ${problem}.`, 'InvalidWebhookSecret', 400);
  school(z, bundle); // a school URL that is not one says so before any request
  await callApi(z, bundle, { method: 'GET', path: ['users'], params: { items_per_page: '1' } });
  return { school: schoolHost(bundle.authData.school_url), hub: await registerSchool(z, bundle) };
}

export const authentication = {
  type: 'session',
  test: testConnection,
  connectionLabel: async (_z: ZObject, bundle: Bundle) => schoolHost(bundle.authData.school_url),
  fields: [
    {
      key: 'school_url',
      label: 'School URL',
      required: true,
      type: 'string',
      helpText:
        'Your school address, such as `myschool.learnworlds.com` or your own domain. You can also paste the API URL from **Settings → Developers → API** (“Copy the API URL”).',
    },
    {
      key: 'client_id',
      label: 'Client ID',
      required: true,
      type: 'string',
      helpText: 'In LearnWorlds open **Settings → Developers → API** and copy the **Client ID**.',
    },
    {
      key: 'client_secret',
      label: 'Client Secret',
      required: true,
      type: 'password',
      helpText: 'On the same page (**Settings → Developers → API**) copy the **Client Secret**.',
    },
    {
      key: 'webhook_secret',
      label: 'Webhook Signature',
      required: true,
      type: 'password',
      helpText:
        'In LearnWorlds open **Settings → Developers → Webhooks** and copy the **webhook signature** (with or without the leading `v1=`). Every delivery is checked against it.',
    },
  ],
  sessionConfig: { perform: getAccessToken },
} satisfies Authentication;
