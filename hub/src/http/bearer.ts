/**
 * Bearer-token checks (constant time), with failed attempts limited per client address: past
 * the limit the address gets 429 and Retry-After without its token being checked, so keys
 * cannot be guessed at speed.
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../../contract';
import type { FailureLimiter } from './failure-limiter';
import { HttpError } from './http-error';

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/** True when `token` equals one of `keys`; every key is compared, so timing tells nothing. */
export function oneOf(token: string, keys: readonly string[]): boolean {
  let ok = false;
  for (const key of keys) ok = constantTimeEqual(token, key) || ok;
  return ok;
}

export function tooManyFailures(retryAfterSeconds: number): HttpError {
  return new HttpError(429, 'too_many_requests', `too many failed attempts from this address: retry in ${retryAfterSeconds} s`, {
    'retry-after': String(retryAfterSeconds),
  });
}

export function requireBearer(keys: readonly string[], limiter: FailureLimiter, disabledMessage: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const wait = limiter.retryAfter(request.ip);
    if (wait !== undefined) throw tooManyFailures(wait);
    if (keys.length === 0) throw new HttpError(401, 'unauthorized', disabledMessage);
    if (!oneOf(bearerToken(request), keys)) {
      limiter.recordFailure(request.ip);
      throw new HttpError(401, 'unauthorized', 'missing or wrong key (Authorization: Bearer …)');
    }
  };
}

/** The Zapier app's key (HUB_API_KEYS), for the subscription and events routes. */
export function requireApiKey(services: { config: { apiKeys: readonly string[] }; keyFailures: FailureLimiter }) {
  return requireBearer(services.config.apiKeys, services.keyFailures, 'the subscription API is disabled: HUB_API_KEYS is not set');
}
