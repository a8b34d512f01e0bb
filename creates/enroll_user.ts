/**
 * Enroll User in Product, the action most Zaps end with (a sale in Stripe, Shopify, ThriveCart
 * or WooCommerce → access to the course):
 * - finds the user by email, creating them when missing (username as given, or from the email);
 * - does nothing when the user already has the product (`already_enrolled: true`): a Zap that
 *   runs twice for one sale neither enrolls twice nor fails;
 * - records `price` (default 0, so a free grant never inflates revenue reports);
 * - sends no enrollment email unless asked; a duration only for subscriptions.
 * API calls: 2 when already enrolled (user, products); 4 otherwise (user, products, enroll, the
 * product's title; or user lookup, create, enroll, title for a new user, who cannot own the
 * product yet).
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { type JsonObject, asText } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { emailField, productIdField, productTypeField, usernameField } from '../src/actions/fields';
import { API_THROTTLE, USER_BY_EMAIL_LOCK } from '../src/actions/limits';
import { PRODUCT_SAMPLE, USER_SAMPLE } from '../src/actions/samples';
import { callApi } from '../src/api/client';
import { findProduct, outputProduct, productTitle, productRef } from '../src/api/products';
import { createUser, findUser, outputUser, userProducts } from '../src/api/users';
import { DURATION_TYPES, enrollmentBody } from '../src/actions/enrollment';
import { newUserBody } from '../src/actions/user-body';

export async function perform(z: ZObject, bundle: Bundle): Promise<JsonObject> {
  const product = productRef(z, bundle.inputData);
  // Every input is checked before the first call.
  const newUser = newUserBody(z, bundle.inputData);
  const enrollment = enrollmentBody(z, product, bundle.inputData);
  const email = asText(newUser.email);
  let user = await findUser(z, bundle, email);
  let userCreated = false;
  let listed: JsonObject | undefined;
  if (user) {
    listed = findProduct((await userProducts(z, bundle, email)) ?? [], product);
    if (listed) return { user: outputUser(user), product: outputProduct(product, listed), already_enrolled: true, user_created: false };
  } else {
    const created = await createUser(z, bundle, { ...newUser, send_registration_email: false });
    user = created.user;
    userCreated = created.created;
  }
  await callApi(z, bundle, { method: 'POST', path: ['users', email, 'enrollment'], body: enrollment });
  const title = await productTitle(z, bundle, product);
  return { user: outputUser(user), product: outputProduct(product, { title }), already_enrolled: false, user_created: userCreated };
}

const SAMPLE = { user: USER_SAMPLE, product: PRODUCT_SAMPLE, already_enrolled: false, user_created: false };

export default defineCreate({
  key: 'enroll_user',
  noun: 'Enrollment',
  display: {
    label: 'Enroll User in Product',
    description: 'Enrolls a user in a course, bundle or subscription, creating the user first if needed; a user who already has the product is left as is.',
  },
  operation: {
    throttle: API_THROTTLE,
    lock: USER_BY_EMAIL_LOCK,
    inputFields: [
      emailField,
      usernameField,
      productTypeField,
      productIdField,
      {
        key: 'price',
        label: 'Price',
        type: 'number',
        required: false,
        default: '0',
        helpText:
          "What the user paid, recorded as revenue in LearnWorlds' reports. Leave it at 0 for a free or manual grant; to record a sale, map the amount from the payment step (Stripe gives cents: divide by 100 with a Formatter step).",
      },
      {
        key: 'justification',
        label: 'Justification',
        type: 'string',
        required: false,
        helpText: 'A note LearnWorlds keeps with the enrollment, such as `Stripe payment` and the payment ID from the earlier step.',
      },
      {
        key: 'send_enrollment_email',
        label: 'Send Enrollment Email',
        type: 'boolean',
        required: false,
        default: 'false',
        helpText: "Send LearnWorlds' enrollment email to the user. Off by default.",
      },
      {
        key: 'duration_type',
        label: 'Subscription Duration Unit',
        required: false,
        choices: DURATION_TYPES,
        helpText: 'Subscriptions only: the unit of Subscription Duration. Ignored for courses and bundles.',
      },
      {
        key: 'duration',
        label: 'Subscription Duration',
        type: 'integer',
        required: false,
        helpText: 'Subscriptions only: how long the access lasts, in the unit above (for example 3 months). Leave empty for the plan default.',
      },
    ],
    perform,
    sample: SAMPLE,
    outputFields: outputFieldsFor(SAMPLE),
  },
});
