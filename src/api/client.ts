/**
 * The one small LearnWorlds API client the actions and searches use, on `z.request` (so the
 * session token, `Lw-Client` and the 401 → token refresh come from the app's middleware).
 * Path segments are URL-encoded one by one (a user is an id or an email: `a+b@x.com` must
 * arrive as `a%2Bb%40x.com`). Every failure becomes an error a non-developer understands; a
 * 404 the caller expects (an unknown user, say) comes back as `undefined` instead.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';
import { apiUrl } from '../../contract/school-url';
import { learnWorldsMessage, responseJson } from './failures';

/** A path segment, percent-encoded per RFC 3986 (encodeURIComponent leaves ! ' ( ) * as they are). */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path segments after /admin/api/v2/, each encoded on its own. */
  path: readonly string[];
  params?: Record<string, string>;
  body?: JsonObject;
}

export interface ApiAnswer {
  status: number;
  data: JsonValue;
}

/**
 * One API call. Answers every status the caller may want to handle itself (2xx, a JSON 404,
 * 400, 409, 422); what no caller handles (429, 403, a 404 from no school, 5xx) the app's
 * middleware has thrown already (failures.ts), and a 401 refreshes the session.
 */
export async function requestApi(z: ZObject, bundle: Bundle, call: ApiCall): Promise<ApiAnswer> {
  const response = await z.request({
    url: apiUrl(bundle.authData.school_url, call.path.map(encodePathSegment).join('/')),
    method: call.method,
    params: call.params,
    ...(call.body ? { body: call.body, headers: { 'Content-Type': 'application/json' } } : {}),
    skipThrowForStatus: true,
  });
  const { status } = response;
  const data = status === 204 ? null : responseJson(response);
  return { status, data };
}

/** `text` ending in exactly one period (LearnWorlds' own messages often end in one already). */
export function sentence(text: string): string {
  return `${text.trimEnd().replace(/[.\s]+$/, '')}.`;
}

/** The error for a refused call, with LearnWorlds' own words (field by field for a 422). */
export function refusal(z: ZObject, answer: ApiAnswer): Error {
  const said = learnWorldsMessage(answer.data);
  if (answer.status === 422)
    return new z.errors.Error(sentence(`LearnWorlds did not accept the values: ${said ?? 'no details given'}`), 'ValidationFailed', 422);
  return new z.errors.Error(sentence(`LearnWorlds refused the request (HTTP ${answer.status})${said ? `: ${said}` : ''}`), 'RequestRefused', answer.status);
}

/** The JSON body of a 2xx answer; `undefined` for a JSON 404 when `notFound` is 'undefined'. */
export async function callApi(z: ZObject, bundle: Bundle, call: ApiCall, notFound: 'throw' | 'undefined' = 'throw'): Promise<JsonValue | undefined> {
  const answer = await requestApi(z, bundle, call);
  if (answer.status >= 200 && answer.status < 300) return answer.data;
  if (answer.status === 404 && notFound === 'undefined') return undefined;
  throw refusal(z, answer);
}

/** A 2xx JSON object, or an error naming what was expected. */
export function expectObject(z: ZObject, value: JsonValue | undefined, what: string): JsonObject {
  if (isJsonObject(value)) return value;
  throw new z.errors.Error(`LearnWorlds answered without ${what}.`, 'UnexpectedResponse', 502);
}

/** The `data` rows of a list answer (`{data: [...]}`). */
export function rows(value: JsonValue | undefined): JsonObject[] {
  const data = isJsonObject(value) ? value.data : value;
  return Array.isArray(data) ? data.filter(isJsonObject) : [];
}
