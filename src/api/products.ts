/** A product named by an action: its type (course, bundle, subscription) and its id. */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { type JsonObject, asText, isJsonObject } from '../../contract/json';
import { callApi } from './client';
import { PRODUCT_TYPES, type ProductType, isProductType } from '../actions/fields';

export interface ProductRef {
  type: ProductType;
  id: string;
}

export function productRef(z: ZObject, inputData: Record<string, unknown>): ProductRef {
  const type = inputData.product_type;
  if (!isProductType(type)) {
    throw new z.errors.Error(`Product Type must be one of ${Object.keys(PRODUCT_TYPES).join(', ')}.`, 'InvalidProductType', 400);
  }
  const id = typeof inputData.product_id === 'string' || typeof inputData.product_id === 'number' ? String(inputData.product_id).trim() : '';
  if (id === '') throw new z.errors.Error('Product is empty: pick one, or map its LearnWorlds ID.', 'MissingProduct', 400);
  return { type, id };
}

/** The entry of a user's product list (`GET /v2/users/{user}/products`) for this product. */
export function findProduct(products: JsonObject[], product: ProductRef): JsonObject | undefined {
  return products.find((p) => asText(p.id) === product.id && (typeof p.type !== 'string' || p.type === product.type));
}

/** The product as the actions output it. */
export function outputProduct(product: ProductRef, listed?: JsonObject): JsonObject {
  return { id: product.id, type: product.type, title: typeof listed?.title === 'string' ? listed.title : '' };
}

/** Where each product type is read on its own. */
const PRODUCT_PATHS: Record<ProductRef['type'], string> = { course: 'courses', bundle: 'bundles', subscription: 'subscription-plans' };

/**
 * The product's title from LearnWorlds (one call), for an enrollment that just happened; '' when
 * LearnWorlds cannot say (the enrollment itself succeeded: a missing title must not fail it).
 */
export async function productTitle(z: ZObject, bundle: Bundle, product: ProductRef): Promise<string> {
  try {
    const found = await callApi(z, bundle, { method: 'GET', path: [PRODUCT_PATHS[product.type], product.id] }, 'undefined');
    return isJsonObject(found) && typeof found.title === 'string' ? found.title : '';
  } catch (error) {
    if (error instanceof Error && error.name === 'ThrottledError') throw error;
    return '';
  }
}
