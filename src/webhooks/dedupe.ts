/**
 * The hub may deliver the same event to a Zap more than once (retries, a crash mid-send), with
 * the same `Webhook-Id`. Each Zap keeps the ids it has seen in z.cache for a day. A delivery
 * straight from LearnWorlds has no Webhook-Id; it is keyed by a hash of its raw body.
 */
import { createHash } from 'node:crypto';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { HEADERS, headerSpellings } from '../../contract';
import { findHeader } from './signature';

const WEBHOOK_ID_HEADERS = headerSpellings(HEADERS.webhookId);
export const DEDUPE_TTL_SECONDS = 24 * 60 * 60;

export function dedupeKey(bundle: Bundle): string {
  const webhookId = findHeader(bundle.rawRequest?.headers, WEBHOOK_ID_HEADERS);
  const delivery = webhookId
    ? `id:${webhookId}`
    : `body:${createHash('sha256')
        .update(bundle.rawRequest?.content ?? '')
        .digest('hex')}`;
  // Scoped to this Zap's subscription, so two Zaps on the same event both run.
  const zap = bundle.subscribeData?.id ?? bundle.meta?.zap?.id ?? 'unsubscribed';
  return `lw-seen:${zap}:${delivery}`;
}

/** True the first time a delivery is seen by this Zap; false for a repeat. */
export async function firstSighting(z: ZObject, bundle: Bundle): Promise<boolean> {
  const key = dedupeKey(bundle);
  const seen = async () => {
    const value: unknown = await z.cache.get(key);
    return value !== null && value !== undefined;
  };
  try {
    if (await seen()) return false;
    if (await z.cache.set(key, 1, DEDUPE_TTL_SECONDS, undefined, true)) return true;
    // Set-if-absent answers false when a concurrent delivery won the race, but also when the
    // cache refuses the write (rate limit): only a value that is really there makes a repeat.
    return !(await seen());
  } catch (error) {
    z.console.log(`[learnworlds] delivery dedupe unavailable, letting the delivery through: ${error instanceof Error ? error.message : String(error)}`);
    return true;
  }
}
