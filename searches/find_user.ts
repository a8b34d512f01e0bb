/**
 * Find User: GET /v2/users/{user} (an id or an email; suspended users too). Nothing found → []
 * so Zapier's "nothing found" branch and Find or Create User work. 1 API call.
 */
import { type Bundle, type ZObject, defineSearch } from 'zapier-platform-core';
import type { JsonObject } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { USER_SAMPLE } from '../src/actions/samples';
import { findUser, outputUser, userRef } from '../src/api/users';

export async function perform(z: ZObject, bundle: Bundle): Promise<JsonObject[]> {
  // Find or Create User passes the create step's `email` when the search ran on it.
  const user = await findUser(z, bundle, userRef(z, bundle.inputData.user));
  return user ? [outputUser(user)] : [];
}

export default defineSearch({
  key: 'find_user',
  noun: 'User',
  display: {
    label: 'Find User',
    description: 'Finds a user by email address or user ID.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField],
    perform,
    sample: USER_SAMPLE,
    outputFields: outputFieldsFor(USER_SAMPLE),
  },
});
