/**
 * Add Tags to User / Remove Tags From User: PUT /v2/users/{user}/tags with `action: attach` or
 * `detach`. The answer is the user with the tag list after the change: 1 API call.
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import type { JsonObject } from '../../contract/json';
import { outputFieldsFor } from '../common/output-fields';
import { tagsField, userField } from './action-fields';
import { API_THROTTLE } from './action-limits';
import { USER_SAMPLE } from './action-samples';
import { callApi, expectObject } from './client';
import { outputUser, parseTags, userNotFound, userRef } from './users';

export function tagPerform(action: 'attach' | 'detach') {
  return async (z: ZObject, bundle: Bundle): Promise<JsonObject> => {
    const ref = userRef(z, bundle.inputData.user);
    const tags = parseTags(bundle.inputData.tags);
    if (tags.length === 0) throw new z.errors.Error('Tags is empty: type or map at least one tag.', 'MissingTags', 400);
    const answer = await callApi(z, bundle, { method: 'PUT', path: ['users', ref, 'tags'], body: { tags, action } }, 'undefined');
    if (answer === undefined) throw userNotFound(z, ref);
    return outputUser(expectObject(z, answer, 'the user'));
  };
}

export function tagAction(action: 'attach' | 'detach') {
  const adding = action === 'attach';
  return defineCreate({
    key: adding ? 'add_user_tags' : 'remove_user_tags',
    noun: 'Tag',
    display: {
      label: adding ? 'Add Tags to User' : 'Remove Tags From User',
      description: adding
        ? 'Adds tags to a user; tags the user already has are kept as they are.'
        : 'Removes tags from a user; tags the user does not have are ignored.',
    },
    operation: {
      throttle: API_THROTTLE,
      inputFields: [
        userField,
        { ...tagsField, helpText: `${adding ? 'Tags to add' : 'Tags to remove'}: ${tagsField.helpText.charAt(0).toLowerCase()}${tagsField.helpText.slice(1)}` },
      ],
      perform: tagPerform(action),
      sample: USER_SAMPLE,
      outputFields: outputFieldsFor(USER_SAMPLE),
    },
  });
}
