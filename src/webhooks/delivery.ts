/**
 * Reads a webhook delivery out of a Zapier hook bundle: the parsed body (from cleanedRequest,
 * falling back to the raw content) and the headers, without trusting either.
 */
import type { Bundle } from 'zapier-platform-core';
import { type JsonObject, isJsonObject } from '../../contract/json';
import type { LearnWorldsEnvelope } from './normalise';

export type ParsedBody = { kind: 'ok'; body: LearnWorldsEnvelope } | { kind: 'legacy' } | { kind: 'malformed'; reason: string };

/** True when the object has a key other than the ones given (without listing all its keys). */
function hasKeyBesides(value: JsonObject, ignored?: string): boolean {
  for (const key in value) if (key !== ignored) return true;
  return false;
}

/** A delivery's body: as Zapier parsed it (`cleanedRequest`) and as it came (`rawRequest.content`). */
export interface DeliveryBody {
  cleaned?: unknown;
  raw?: string;
}

export function deliveryBody(bundle: Bundle): DeliveryBody {
  return { cleaned: bundle.cleanedRequest, raw: bundle.rawRequest?.content };
}

function bodyObject(delivery: DeliveryBody): JsonObject | string {
  const cleaned = delivery.cleaned;
  // Zapier adds `querystring` to the parsed body; it is not part of what LearnWorlds sent.
  if (isJsonObject(cleaned) && hasKeyBesides(cleaned, 'querystring')) {
    delete cleaned.querystring;
    return cleaned;
  }
  const content = delivery.raw;
  if (typeof content !== 'string' || content.trim() === '') return 'the body is empty';
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return 'the body is not JSON';
  }
  return isJsonObject(parsed) ? parsed : `the body is JSON but not an object (${Array.isArray(parsed) ? 'an array' : typeof parsed})`;
}

export function parseBody(delivery: DeliveryBody): ParsedBody {
  const body = bodyObject(delivery);
  if (typeof body === 'string') return { kind: 'malformed', reason: body };
  if (!hasKeyBesides(body)) return { kind: 'malformed', reason: 'the body is an empty object' };
  if (body.version !== 2) return { kind: 'legacy' };
  const { type, data } = body;
  if (typeof type !== 'string' || type === '') return { kind: 'malformed', reason: 'the body has no "type"' };
  if (!isJsonObject(data)) return { kind: 'malformed', reason: 'the body has no "data" object' };
  return { kind: 'ok', body: { version: body.version, type, trigger: body.trigger, school_id: body.school_id, data } };
}
