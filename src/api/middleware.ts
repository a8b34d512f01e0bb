/**
 * Request/response middleware for the LearnWorlds API: every request to the school carries
 * `Lw-Client` and, once a session exists, `Authorization: Bearer`; failures become errors a
 * non-developer understands. Requests to other hosts (the hub) are left untouched.
 */
import type { AfterResponseMiddleware, BeforeRequestMiddleware, Bundle, HttpResponse } from 'zapier-platform-core';
import { normaliseSchoolUrl } from '../../contract/school-url';

export const TOKEN_PATH = '/admin/api/oauth2/access_token';

function schoolOrigin(bundle: Bundle): string | undefined {
  try {
    return normaliseSchoolUrl(bundle.authData?.school_url);
  } catch {
    return undefined;
  }
}

export function isSchoolRequest(url: string | undefined, bundle: Bundle): boolean {
  const origin = schoolOrigin(bundle);
  return origin !== undefined && typeof url === 'string' && url.startsWith(`${origin}/admin/api/`);
}

export const addLearnWorldsHeaders: BeforeRequestMiddleware = (request, _z, bundle) => {
  if (!isSchoolRequest(request.url, bundle)) return request;
  const headers: Record<string, string> = { Accept: 'application/json', ...(request.headers ?? {}) };
  headers['Lw-Client'] = (bundle.authData.client_id ?? '').trim();
  const token = bundle.authData.sessionKey;
  if (token && !request.url.endsWith(TOKEN_PATH)) headers.Authorization = `Bearer ${token}`;
  request.headers = headers;
  return request;
};

export const PLAN_MESSAGE =
  "LearnWorlds refused API access (403). The LearnWorlds API is only available on the Learning Center plan or higher: check your school's plan, or that the API client is active under Settings → Developers → API.";
export const RATE_LIMIT_MESSAGE = 'LearnWorlds rate limit reached (30 requests every 10 seconds). Zapier will try again shortly.';
export const WRONG_SCHOOL_MESSAGE =
  'This address does not answer like a LearnWorlds school. Check the school URL: use myschool.learnworlds.com, your custom domain, or the API URL from Settings → Developers → API.';

function looksLikeJson(response: HttpResponse): boolean {
  return (response.getHeader('content-type') ?? '').includes('json');
}

/** Seconds to wait after a 429: LearnWorlds' Retry-After when it sends one, else a minute. */
export function retryAfterSeconds(response: HttpResponse): number {
  const header = Number(response.getHeader('retry-after'));
  return Number.isFinite(header) && header > 0 ? Math.min(Math.ceil(header), 300) : 60;
}

export const mapLearnWorldsErrors: AfterResponseMiddleware = (response, z, bundle) => {
  if (!isSchoolRequest(response.request.url, bundle) || response.status < 400) return response;
  if (response.status === 429) throw new z.errors.ThrottledError(RATE_LIMIT_MESSAGE, retryAfterSeconds(response));
  if (response.request.skipThrowForStatus) return response;
  if (response.status === 403) throw new z.errors.Error(PLAN_MESSAGE, 'ApiNotInPlan', 403);
  if (response.status === 404 && !looksLikeJson(response)) throw new z.errors.Error(WRONG_SCHOOL_MESSAGE, 'WrongSchoolUrl', 404);
  return response;
};
