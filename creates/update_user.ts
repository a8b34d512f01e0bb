/**
 * Update User: PUT /v2/users/{user} with only the fields that were filled in (an empty input
 * never clears a value). The answer is the updated user: 1 API call.
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import type { JsonObject } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { USER_SAMPLE } from '../src/actions/samples';
import { callApi, expectObject } from '../src/api/client';
import { customFields } from '../src/actions/user-body';
import { outputUser, userNotFound, userRef } from '../src/api/users';

/** The PUT body: only what was filled in. */
export function changes(inputData: Record<string, unknown>): JsonObject {
  const body: JsonObject = {};
  for (const key of ['email', 'username'] as const) {
    const value = inputData[key];
    if (typeof value === 'string' && value.trim() !== '') body[key] = value.trim();
  }
  if (typeof inputData.subscribed_for_marketing_emails === 'boolean') body.subscribed_for_marketing_emails = inputData.subscribed_for_marketing_emails;
  const fields = customFields(inputData.fields);
  if (Object.keys(fields).length > 0) body.fields = fields;
  return body;
}

export async function perform(z: ZObject, bundle: Bundle): Promise<JsonObject> {
  const ref = userRef(z, bundle.inputData.user);
  const body = changes(bundle.inputData);
  if (Object.keys(body).length === 0) {
    throw new z.errors.Error(
      'Nothing to update: fill in at least one of Email, Username, Subscribed to Marketing Emails or Sign-up Fields.',
      'NothingToUpdate',
      400,
    );
  }
  const updated = await callApi(z, bundle, { method: 'PUT', path: ['users', ref], body }, 'undefined');
  if (updated === undefined) throw userNotFound(z, ref);
  return outputUser(expectObject(z, updated, 'the updated user'));
}

export default defineCreate({
  key: 'update_user',
  noun: 'User',
  display: {
    label: 'Update User',
    description: "Updates a user's email, username, marketing consent or sign-up fields; fields left empty are not changed.",
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [
      userField,
      { key: 'email', label: 'New Email', type: 'string', required: false, helpText: 'A new email address for the user. Leave empty to keep the current one.' },
      {
        key: 'username',
        label: 'New Username',
        type: 'string',
        required: false,
        helpText: 'A new username (the name LearnWorlds shows). Leave empty to keep the current one.',
      },
      {
        key: 'subscribed_for_marketing_emails',
        label: 'Subscribed to Marketing Emails',
        type: 'boolean',
        required: false,
        helpText: 'Set the marketing consent, usually mapped from the consent box of your form. Leave empty to keep it as it is.',
      },
      {
        key: 'fields',
        label: 'Sign-up Fields',
        dict: true,
        required: false,
        helpText:
          'Sign-up fields to change, as name and value, such as `company` → the company from your form. The name is the field ID in **Settings → Sign-up forms**, with or without `cf_`. Fields not listed keep their values.',
      },
    ],
    perform,
    sample: USER_SAMPLE,
    outputFields: outputFieldsFor(USER_SAMPLE),
  },
});
