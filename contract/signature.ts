/**
 * The webhook signature, as LearnWorlds sends it and as the app and the hub check it: the header
 * `Learnworlds-Webhook-Signature: v1=<the signature shown under Settings → Developers →
 * Webhooks>`, a static pre-shared value compared whole, in constant time.
 */
import { timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'v1=';

/** The secret as the admin may paste it ("v1=abc", " abc "), reduced to "abc". */
export function normaliseWebhookSecret(input: string): string {
  return input.trim().replace(/^v1=/i, '').trim();
}

/** The header value LearnWorlds sends for a secret. */
export function signatureFor(secret: string): string {
  return `${SIGNATURE_PREFIX}${normaliseWebhookSecret(secret)}`;
}

/** The secret inside a header value, or '' when the value is not `v1=<secret>`. */
export function secretFromSignature(headerValue: string | undefined): string {
  const value = (headerValue ?? '').trim();
  return value.startsWith(SIGNATURE_PREFIX) ? value.slice(SIGNATURE_PREFIX.length) : '';
}

/**
 * LearnWorlds' webhook signatures are long random strings (46 hex characters in its example).
 * A short one is a typo or a guessable value, refused by the connection test and the hub alike.
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 24;

/** Why a (normalised) webhook secret cannot be used, or undefined when it can. */
export function webhookSecretProblem(secret: string): string | undefined {
  if (secret === '') return 'is empty';
  if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
    return `is too short (${secret.length} characters; LearnWorlds signatures have at least ${MIN_WEBHOOK_SECRET_LENGTH}): copy the whole value from Settings → Developers → Webhooks`;
  }
  if (!/^[\x21-\x7e]+$/.test(secret)) return 'must be printable characters without spaces';
  return undefined;
}

/** Constant-time equality of two strings (only their lengths may differ in time). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) {
    timingSafeEqual(bb, bb);
    return false;
  }
  return timingSafeEqual(ba, bb);
}
