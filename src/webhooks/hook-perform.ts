/**
 * The one wrapper in front of every trigger's perform, in this order: signature, body, event
 * guard, filters, normalisation (all synchronous, in `evaluateDelivery`), then the per-Zap dedupe
 * (a z.cache round trip). A delivery that must not start the Zap returns [] with a log line
 * saying why (never the secret); a legacy payload halts with advice. Nothing else ever throws:
 * an unexpected exception in the pipeline drops the delivery with a log line, because
 * zapier-platform-core appends the bundle (signature header, raw body) to a thrown error's
 * message, and repeated errors can turn the Zap off.
 */
import type { Bundle, WebhookTriggerPerform, ZObject } from 'zapier-platform-core';
import { HEADERS, type HubFacts, decodeHubFacts, headerSpellings } from '../../contract';
import type { EventSpec } from '../catalogue';
import { firstSighting } from './dedupe';
import { type DeliveryBody, deliveryBody, parseBody } from './delivery';
import { zapWants } from './filters';
import { type NormalisedItem, normaliseEvent } from './normalise';
import { findHeader, findSignatureHeader, verifySignature } from './signature';

const HUB_FACTS_HEADERS = headerSpellings(HEADERS.hubFacts);

export type DeliveryVerdict = { kind: 'item'; item: NormalisedItem } | { kind: 'drop'; why: string } | { kind: 'legacy' };

export function legacyPayloadMessage(learnworldsName: string): string {
  return (
    `LearnWorlds sent this event in the legacy payload format. In LearnWorlds open Settings → Developers → Webhooks, ` +
    `choose "New" in the version dropdown next to "${learnworldsName}", and save.`
  );
}

/**
 * Body, event guard, filters and normalisation of one delivery body; no signature, no I/O. A
 * live delivery and a trigger test of a real event stored by the hub both go through this, so
 * the test item is exactly what the Zap will get.
 */
export function evaluateBody(spec: EventSpec, delivery: DeliveryBody, inputData: Record<string, unknown>, facts?: HubFacts): DeliveryVerdict {
  const parsed = parseBody(delivery);
  if (parsed.kind !== 'ok') return parsed.kind === 'legacy' ? parsed : { kind: 'drop', why: parsed.reason };
  const { body } = parsed;
  if (spec.type !== '*' && body.type !== spec.type) return { kind: 'drop', why: `it is a "${body.type}" event, not "${spec.type}"` };
  if (!zapWants(body.type, body.data, facts, spec.filters, inputData)) return { kind: 'drop', why: 'it does not match the filter chosen for this Zap' };
  const raw = delivery.raw;
  return { kind: 'item', item: normaliseEvent(body, typeof raw === 'string' && raw !== '' ? raw : undefined, facts) };
}

/** Signature, then evaluateBody: one live delivery; no I/O. */
export function evaluateDelivery(spec: EventSpec, bundle: Bundle): DeliveryVerdict {
  const verdict = verifySignature(findSignatureHeader(bundle.rawRequest?.headers), bundle.authData.webhook_secret ?? '');
  if (verdict === 'missing') return { kind: 'drop', why: 'the Learnworlds-Webhook-Signature header is missing' };
  if (verdict === 'invalid') return { kind: 'drop', why: 'the Learnworlds-Webhook-Signature header does not match the webhook signature of this connection' };
  return evaluateBody(spec, deliveryBody(bundle), bundle.inputData, decodeHubFacts(findHeader(bundle.rawRequest?.headers, HUB_FACTS_HEADERS)));
}

/**
 * An error thrown on purpose, marked so zapier-platform-core does not append the bundle (with
 * the signature header and the raw body) or the console log to its message.
 */
export function withoutContext<E extends Error>(error: E): E & { doNotContextify: true } {
  return Object.assign(error, { doNotContextify: true as const });
}

/** evaluateDelivery that never throws: a bug or a hostile body becomes a dropped delivery. */
function safelyEvaluate(spec: EventSpec, bundle: Bundle): DeliveryVerdict {
  try {
    return evaluateDelivery(spec, bundle);
  } catch (error) {
    const what = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'a non-error value was thrown';
    return { kind: 'drop', why: `it could not be processed (${what})` };
  }
}

export function makeHookPerform(spec: EventSpec): WebhookTriggerPerform<Record<string, unknown>, NormalisedItem> {
  const drop = (z: ZObject, why: string): [] => {
    z.console.log(`[learnworlds] ${spec.key}: delivery dropped, ${why}`);
    return [];
  };
  return async (z: ZObject, bundle: Bundle) => {
    const verdict = safelyEvaluate(spec, bundle);
    if (verdict.kind === 'drop') return drop(z, verdict.why);
    if (verdict.kind === 'legacy') {
      throw withoutContext(new z.errors.HaltedError(legacyPayloadMessage(spec.type === '*' ? 'each event' : spec.learnworldsName)));
    }
    if (!(await firstSighting(z, bundle))) return drop(z, 'this Zap has already received this delivery');
    return [verdict.item];
  };
}
