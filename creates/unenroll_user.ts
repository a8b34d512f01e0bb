/**
 * Unenroll User From Product: DELETE /v2/users/{user}/enrollment (a DELETE with a JSON body).
 * Idempotent: a user who does not have the product is a success with `was_enrolled: false`.
 * API calls: 1 when not enrolled (the product list), 2 otherwise (list, unenroll).
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { type JsonObject, asText } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { productIdField, productTypeField, userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { PRODUCT_SAMPLE } from '../src/actions/samples';
import { callApi } from '../src/api/client';
import { findProduct, outputProduct, productRef } from '../src/api/products';
import { userNotFound, userProducts, userRef } from '../src/api/users';

export async function perform(z: ZObject, bundle: Bundle): Promise<JsonObject> {
  const ref = userRef(z, bundle.inputData.user);
  const product = productRef(z, bundle.inputData);
  const products = await userProducts(z, bundle, ref);
  if (products === undefined) throw userNotFound(z, ref);
  const listed = findProduct(products, product);
  if (listed) {
    await callApi(z, bundle, { method: 'DELETE', path: ['users', ref, 'enrollment'], body: { productId: product.id, productType: product.type } });
  }
  return { id: `${ref}:${product.type}:${product.id}`, user: ref, product: outputProduct(product, listed), was_enrolled: listed !== undefined };
}

const SAMPLE = {
  id: `ada.lovelace@example.com:course:${asText(PRODUCT_SAMPLE.id)}`,
  user: 'ada.lovelace@example.com',
  product: PRODUCT_SAMPLE,
  was_enrolled: true,
};

export default defineCreate({
  key: 'unenroll_user',
  noun: 'Enrollment',
  display: {
    label: 'Unenroll User From Product',
    description: 'Unenrolls a user from a course, bundle or subscription; a user who does not have it is left as is.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField, productTypeField, productIdField],
    perform,
    sample: SAMPLE,
    outputFields: outputFieldsFor(SAMPLE),
  },
});
