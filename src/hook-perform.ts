/**
 * The one wrapper in front of every trigger's perform, in this order: signature, body, event
 * guard, filters, per-Zap dedupe, normalisation. A delivery that must not start the Zap returns
 * [] with a log line saying why (never the secret); a legacy payload halts with advice.
 */
import type { Bundle, WebhookTriggerPerform, ZObject } from 'zapier-platform-core';
import type { EventSpec } from './catalogue';
import { firstSighting } from './dedupe';
import { parseBody } from './delivery';
import { matchesFilters } from './filters';
import { type NormalisedItem, normaliseEvent } from './normalise';
import { findSignatureHeader, verifySignature } from './signature';

function drop(z: ZObject, spec: EventSpec, why: string): [] {
  z.console.log(`[learnworlds] ${spec.key}: delivery dropped, ${why}`);
  return [];
}

export function legacyPayloadMessage(learnworldsName: string): string {
  return (
    `LearnWorlds sent this event in the legacy payload format. In LearnWorlds open Settings → Developers → Webhooks, ` +
    `choose "New" in the version dropdown next to "${learnworldsName}", and save.`
  );
}

export function makeHookPerform(spec: EventSpec): WebhookTriggerPerform<Record<string, unknown>, NormalisedItem> {
  return async (z: ZObject, bundle: Bundle) => {
    const verdict = verifySignature(findSignatureHeader(bundle.rawRequest?.headers), bundle.authData.webhook_secret ?? '');
    if (verdict !== 'valid') {
      return drop(z, spec, verdict === 'missing' ? 'the Learnworlds-Webhook-Signature header is missing' : 'the Learnworlds-Webhook-Signature header does not match the webhook signature of this connection');
    }
    const parsed = parseBody(bundle);
    if (parsed.kind === 'malformed') return drop(z, spec, parsed.reason);
    if (parsed.kind === 'legacy') {
      throw new z.errors.HaltedError(legacyPayloadMessage(spec.type === '*' ? 'each event' : spec.learnworldsName));
    }
    const { body } = parsed;
    if (spec.type !== '*' && body.type !== spec.type) return drop(z, spec, `it is a "${body.type}" event, not "${spec.type}"`);
    const item = normaliseEvent(body);
    if (!matchesFilters(item, spec.filters, bundle.inputData)) return drop(z, spec, 'it does not match the filter chosen for this Zap');
    if (!(await firstSighting(z, bundle))) return drop(z, spec, 'this Zap has already received this delivery');
    return [item];
  };
}
