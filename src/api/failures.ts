/**
 * What a failed LearnWorlds answer means to a non-developer, decided in this one place for every
 * call to the school (actions, searches, dropdowns, trigger tests, the connection test and the
 * token request): the app's afterResponse middleware throws what this returns. Statuses a caller
 * handles itself (a JSON 404 for an unknown user, 400, 409, 422) pass through.
 */
import type { HttpResponse, ZObject } from 'zapier-platform-core';
import { type JsonValue, asText, isJsonObject } from '../../contract/json';

export const PLAN_MESSAGE =
  "LearnWorlds refused API access (403). The LearnWorlds API is only available on the Learning Center plan or higher: check your school's plan, or that the API client is active under Settings → Developers → API.";
export const RATE_LIMIT_MESSAGE = 'LearnWorlds rate limit reached (30 requests every 10 seconds). Zapier will try again shortly.';
export const WRONG_SCHOOL_MESSAGE =
  'This address does not answer like a LearnWorlds school. Check the school URL: use myschool.learnworlds.com, your custom domain, or the API URL from Settings → Developers → API.';

export function isJsonResponse(response: HttpResponse): boolean {
  return (response.getHeader('content-type') ?? '').includes('json');
}

/** The answer's body as JSON (null when it is not JSON). */
export function responseJson(response: HttpResponse): JsonValue {
  const data: unknown = response.data;
  if (data !== undefined) return data as JsonValue;
  try {
    return JSON.parse(response.content) as JsonValue;
  } catch {
    return null;
  }
}

/** The message LearnWorlds put in an error body: `errors[].message`, `message`, then `error`. */
export function learnWorldsMessage(data: JsonValue): string | undefined {
  if (!isJsonObject(data)) return undefined;
  if (Array.isArray(data.errors)) {
    const messages = data.errors
      .filter(isJsonObject)
      .map((e) => e.message)
      .filter((m): m is string => typeof m === 'string' && m !== '');
    if (messages.length > 0) return messages.join('; ');
  }
  // 422: {"message": "...", "errors": {"email": ["The email has already been taken."]}}
  if (isJsonObject(data.errors)) {
    const fields = Object.entries(data.errors).map(([field, problems]) => {
      const list = Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [asText(problems)];
      return `${field}: ${list.join(' ')}`;
    });
    if (fields.length > 0) return fields.join('; ');
  }
  if (typeof data.message === 'string' && data.message !== '') return data.message;
  if (typeof data.error === 'string' && data.error !== '') return data.error;
  return undefined;
}

/** Seconds to wait after a 429: LearnWorlds' Retry-After when it sends one, else a minute. */
export function retryAfterSeconds(response: HttpResponse): number {
  const header = Number(response.getHeader('retry-after'));
  return Number.isFinite(header) && header > 0 ? Math.min(Math.ceil(header), 300) : 60;
}

/**
 * The error for an answer no caller handles: 429 (Zapier retries later), 403 (the plan), a 404
 * that is not LearnWorlds JSON (not a school), 5xx (LearnWorlds unavailable). Else undefined.
 */
export function schoolFailure(z: ZObject, response: HttpResponse): Error | undefined {
  const { status } = response;
  if (status === 429) return new z.errors.ThrottledError(RATE_LIMIT_MESSAGE, retryAfterSeconds(response));
  if (status === 403) return new z.errors.Error(PLAN_MESSAGE, 'ApiNotInPlan', 403);
  if (status === 404 && !isJsonResponse(response)) return new z.errors.Error(WRONG_SCHOOL_MESSAGE, 'WrongSchoolUrl', 404);
  if (status >= 500) {
    const said = learnWorldsMessage(responseJson(response));
    return new z.errors.Error(
      `LearnWorlds is unavailable right now (HTTP ${status}${said ? `: ${said}` : ''}). Try again later.`,
      'LearnWorldsUnavailable',
      status,
    );
  }
  return undefined;
}
