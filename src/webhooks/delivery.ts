/**
 * Reads a webhook delivery out of a Zapier hook bundle: the parsed body (from cleanedRequest,
 * falling back to the raw content) and the headers, without trusting either.
 */
import type { Bundle } from 'zapier-platform-core';
import { type JsonObject, isJsonObject } from '../common/json';
import type { LearnWorldsEnvelope } from './normalise';

export type ParsedBody =
  | { kind: 'ok'; body: LearnWorldsEnvelope }
  | { kind: 'legacy' }
  | { kind: 'malformed'; reason: string };

/** True when the object has a key other than the ones given (without listing all its keys). */
function hasKeyBesides(value: JsonObject, ignored?: string): boolean {
  for (const key in value) if (key !== ignored) return true;
  return false;
}

function bodyObject(bundle: Bundle): JsonObject | string {
  const cleaned: unknown = bundle.cleanedRequest;
  // Zapier adds `querystring` to the parsed body; it is not part of what LearnWorlds sent.
  if (isJsonObject(cleaned) && hasKeyBesides(cleaned, 'querystring')) {
    delete cleaned.querystring;
    return cleaned;
  }
  const content = bundle.rawRequest?.content;
  if (typeof content !== 'string' || content.trim() === '') return 'the body is empty';
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return 'the body is not JSON';
  }
  return isJsonObject(parsed) ? parsed : `the body is JSON but not an object (${Array.isArray(parsed) ? 'an array' : typeof parsed})`;
}

export function parseBody(bundle: Bundle): ParsedBody {
  const body = bodyObject(bundle);
  if (typeof body === 'string') return { kind: 'malformed', reason: body };
  if (!hasKeyBesides(body)) return { kind: 'malformed', reason: 'the body is an empty object' };
  if (body.version !== 2) return { kind: 'legacy' };
  if (typeof body.type !== 'string' || body.type === '') return { kind: 'malformed', reason: 'the body has no "type"' };
  if (!isJsonObject(body.data)) return { kind: 'malformed', reason: 'the body has no "data" object' };
  return { kind: 'ok', body: body as JsonObject & LearnWorldsEnvelope };
}
