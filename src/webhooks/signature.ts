/**
 * LearnWorlds signs every delivery with a pre-shared value: the header
 * `Learnworlds-Webhook-Signature: v1=<signature shown under Settings → Developers → Webhooks>`.
 * The check compares the whole header value in constant time; nothing is ever logged of it.
 */
import { timingSafeEqual } from 'node:crypto';

const HEADER_NAMES = new Set(['learnworlds-webhook-signature', 'http-learnworlds-webhook-signature']);

/** The secret as the admin may paste it ("v1=abc", " abc "), reduced to "abc". */
export function normaliseWebhookSecret(input: string): string {
  return input.trim().replace(/^v1=/i, '').trim();
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

export function expectedSignature(secret: string): string {
  return `v1=${normaliseWebhookSecret(secret)}`;
}

/** A header by name, whatever its casing and whether Zapier prefixed it with `Http-`. */
export function findHeader(headers: Record<string, unknown> | undefined, names: ReadonlySet<string>): string | undefined {
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (!names.has(name.toLowerCase())) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

export function findSignatureHeader(headers: Record<string, unknown> | undefined): string | undefined {
  return findHeader(headers, HEADER_NAMES);
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

export type SignatureVerdict = 'valid' | 'missing' | 'invalid';

export function verifySignature(headerValue: string | undefined, secret: string): SignatureVerdict {
  if (headerValue === undefined || headerValue.trim() === '') return 'missing';
  if (normaliseWebhookSecret(secret) === '') return 'invalid';
  return constantTimeEqual(headerValue.trim(), expectedSignature(secret)) ? 'valid' : 'invalid';
}
