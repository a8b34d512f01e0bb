import { createAppTester } from 'zapier-platform-core';
import App from '../index';
import type { LearnWorldsEventType } from '../src/catalogue';
import type { JsonObject } from '../contract/json';
import { VENDOR_PAYLOADS } from '../contract/payloads';

export const SCHOOL = 'https://myschool.learnworlds.com';
export const WEBHOOK_SECRET = 'e8fad5b079d0977f61bc2d21fc5f461719e6478df7de56';
export const AUTH = {
  school_url: 'myschool.learnworlds.com',
  client_id: 'client-123',
  client_secret: 'client-secret-xyz',
  webhook_secret: WEBHOOK_SECRET,
  sessionKey: 'token-abc',
};

export const appTester = createAppTester(App);

export function payload(type: LearnWorldsEventType): JsonObject {
  return structuredClone(VENDOR_PAYLOADS[type]);
}

export interface DeliveryOptions {
  headers?: Record<string, string>;
  signature?: string | null;
  raw?: string;
  subscriptionId?: string;
  inputData?: Record<string, unknown>;
  authData?: Record<string, string>;
}

let deliveries = 0;

/** A hook bundle as Zapier builds it: parsed body + querystring, raw body, Http- prefixed headers. */
export function deliveryBundle(body: unknown, options: DeliveryOptions = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(options.headers ?? {}) };
  const signature = options.signature === undefined ? `v1=${WEBHOOK_SECRET}` : options.signature;
  if (signature !== null) headers['Http-Learnworlds-Webhook-Signature'] = signature;
  // Zapier parses the body itself: the perform gets its own copy.
  const cleaned = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...structuredClone(body), querystring: {} } : body;
  return {
    authData: { ...AUTH, ...(options.authData ?? {}) },
    inputData: options.inputData ?? {},
    cleanedRequest: cleaned,
    rawRequest: { method: 'POST' as const, querystring: '', headers, content: raw },
    subscribeData: { id: options.subscriptionId ?? `sub-${++deliveries}` },
  };
}

/** Everything written to stdout/stderr while fn runs (z.console goes there in tests). */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    chunks.push(args.map(String).join(' '));
  });
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    out.mockRestore();
    log.mockRestore();
  }
}
