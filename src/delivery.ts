/**
 * Reads a webhook delivery out of a Zapier hook bundle: the parsed body (from cleanedRequest,
 * falling back to the raw content) and the headers, without trusting either.
 */
import type { Bundle } from 'zapier-platform-core';
import { type JsonObject, isJsonObject } from './json';
import type { LearnWorldsEnvelope } from './normalise';

export type ParsedBody =
  | { kind: 'ok'; body: LearnWorldsEnvelope }
  | { kind: 'legacy' }
  | { kind: 'malformed'; reason: string };

function bodyObject(bundle: Bundle): JsonObject | string {
  const cleaned: unknown = bundle.cleanedRequest;
  if (isJsonObject(cleaned) && Object.keys(cleaned).some((k) => k !== 'querystring')) {
    const { querystring: _ignored, ...body } = cleaned;
    return body;
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
  if (Object.keys(body).length === 0) return { kind: 'malformed', reason: 'the body is an empty object' };
  if (body.version !== 2) return { kind: 'legacy' };
  if (typeof body.type !== 'string' || body.type === '') return { kind: 'malformed', reason: 'the body has no "type"' };
  if (!isJsonObject(body.data)) return { kind: 'malformed', reason: 'the body has no "data" object' };
  return { kind: 'ok', body: { ...body, type: body.type, data: body.data } };
}
