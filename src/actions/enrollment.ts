/** What Enroll User in Product makes of its inputs: the price and the enrollment request body. */
import type { ZObject } from 'zapier-platform-core';
import { type JsonObject, asText } from '../../contract/json';
import type { ProductRef } from '../api/products';

export const DURATION_TYPES = { days: 'Days', weeks: 'Weeks', months: 'Months' } as const;

/** The price as a number: 0 when empty; "49.00", "$49" and 49 all give 49. */
export function parsePrice(z: ZObject, input: unknown): number {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) return 0;
  const value = typeof input === 'number' ? input : Number(asText(input).replace(/[^0-9.-]/g, ''));
  if (!Number.isFinite(value) || value < 0 || (typeof input === 'string' && !/\d/.test(input))) {
    throw new z.errors.Error(`Price must be a number such as 49.00, got "${asText(input)}".`, 'InvalidPrice', 400);
  }
  return Math.round(value * 100) / 100;
}

/** The enrollment request body. */
export function enrollmentBody(z: ZObject, product: ProductRef, inputData: Record<string, unknown>): JsonObject {
  const body: JsonObject = {
    productId: product.id,
    productType: product.type,
    price: parsePrice(z, inputData.price),
    send_enrollment_email: inputData.send_enrollment_email === true,
  };
  const justification = typeof inputData.justification === 'string' ? inputData.justification.trim() : '';
  if (justification !== '') body.justification = justification;
  if (product.type === 'subscription') {
    const type = inputData.duration_type;
    const duration = Number(inputData.duration);
    if (typeof type === 'string' && Object.hasOwn(DURATION_TYPES, type) && Number.isInteger(duration) && duration > 0) {
      body.duration_type = type;
      body.duration = duration;
    }
  }
  return body;
}
