/**
 * The signature check of a delivery as Zapier hands it to a hook perform: the header under any
 * casing, with or without Zapier's `Http-` prefix, compared whole and in constant time with
 * `v1=<this connection's webhook secret>` (the format is the contract's). Nothing is ever
 * logged of either value.
 */
import { HEADERS, constantTimeEqual, headerSpellings, normaliseWebhookSecret, signatureFor } from '../../contract';

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

const SIGNATURE_HEADERS = headerSpellings(HEADERS.signature);

export function findSignatureHeader(headers: Record<string, unknown> | undefined): string | undefined {
  return findHeader(headers, SIGNATURE_HEADERS);
}

export type SignatureVerdict = 'valid' | 'missing' | 'invalid';

export function verifySignature(headerValue: string | undefined, secret: string): SignatureVerdict {
  if (headerValue === undefined || headerValue.trim() === '') return 'missing';
  if (normaliseWebhookSecret(secret) === '') return 'invalid';
  return constantTimeEqual(headerValue.trim(), signatureFor(secret)) ? 'valid' : 'invalid';
}
