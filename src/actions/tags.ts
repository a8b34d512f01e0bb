/**
 * What Add Tags to User and Remove Tags From User share: PUT /v2/users/{user}/tags with
 * `action: attach` or `detach`. The answer is the user with the tag list after the change: 1 API call.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import type { JsonObject } from '../../contract/json';
import { callApi, expectObject } from '../api/client';
import { outputUser, userNotFound, userRef } from '../api/users';
import { tagsField } from './fields';
import { parseTags } from './user-body';

export async function changeTags(z: ZObject, bundle: Bundle, action: 'attach' | 'detach'): Promise<JsonObject> {
  const ref = userRef(z, bundle.inputData.user);
  const tags = parseTags(bundle.inputData.tags);
  if (tags.length === 0) throw new z.errors.Error('Tags is empty: type or map at least one tag.', 'MissingTags', 400);
  const answer = await callApi(z, bundle, { method: 'PUT', path: ['users', ref, 'tags'], body: { tags, action } }, 'undefined');
  if (answer === undefined) throw userNotFound(z, ref);
  return outputUser(expectObject(z, answer, 'the user'));
}

/** The Tags input, its help text starting with what the action does with them ("Tags to add"). */
export function tagsInput(purpose: string) {
  return { ...tagsField, helpText: `${purpose}: ${tagsField.helpText.charAt(0).toLowerCase()}${tagsField.helpText.slice(1)}` };
}
