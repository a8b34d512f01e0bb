/**
 * Request/response middleware for the LearnWorlds API: every request to the school carries
 * `Lw-Client` and, once a session exists, `Authorization: Bearer`; failures become errors a
 * non-developer understands (failures.ts), whether or not the caller skips Zapier's own status
 * check. Requests to other hosts (the hub) are left untouched.
 */
import type { AfterResponseMiddleware, BeforeRequestMiddleware, Bundle } from 'zapier-platform-core';
import { normaliseSchoolUrl } from '../../contract/school-url';
import { schoolFailure } from './failures';

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

export const mapLearnWorldsErrors: AfterResponseMiddleware = (response, z, bundle) => {
  if (!isSchoolRequest(response.request.url, bundle) || response.status < 400) return response;
  const failure = schoolFailure(z, response);
  if (failure) throw failure;
  return response;
};
