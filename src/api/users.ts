/**
 * Users through the API: the user path parameter is the user id or the (url-encoded) email, so
 * no lookup is ever needed just to learn an id. Every user is returned in the one normalised
 * shape the triggers use (`full_name`, `utms` with webhook key names, ISO dates), plus the tag
 * list as text.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { type JsonObject, isJsonObject } from '../../contract/json';
import { apiUserToWebhookUser, normaliseUser } from '../common/user';
import { callApi, expectObject, refusal, requestApi, rows } from './client';

/** The `user` input (an email or a LearnWorlds user id), trimmed; an error when empty. */
export function userRef(z: ZObject, input: unknown, field = 'User'): string {
  const ref = typeof input === 'string' || typeof input === 'number' ? String(input).trim() : '';
  if (ref === '') throw new z.errors.Error(`${field} is empty: map an email address or a LearnWorlds user ID.`, 'MissingUser', 400);
  return ref;
}

export function userNotFound(z: ZObject, ref: string): Error {
  const what = ref.includes('@') ? 'email' : 'ID';
  return new z.errors.Error(`LearnWorlds has no user with the ${what} "${ref}".`, 'UserNotFound', 404);
}

/** The user in the triggers' shape, with `tags_text` beside the `tags` list. */
export function outputUser(apiUser: JsonObject): JsonObject {
  const user = normaliseUser(apiUserToWebhookUser(structuredClone(apiUser)));
  const tags = Array.isArray(user.tags) ? user.tags.filter((t): t is string => typeof t === 'string') : [];
  user.tags = tags;
  user.tags_text = tags.join(', ');
  return user;
}

/** One user by id or email (suspended ones too), or undefined when there is none. 1 call. */
export async function findUser(z: ZObject, bundle: Bundle, ref: string): Promise<JsonObject | undefined> {
  const found = await callApi(z, bundle, { method: 'GET', path: ['users', ref], params: { include_suspended: 'true' } }, 'undefined');
  return found === undefined ? undefined : expectObject(z, found, 'the user');
}

export async function requireUser(z: ZObject, bundle: Bundle, ref: string): Promise<JsonObject> {
  const user = await findUser(z, bundle, ref);
  if (!user) throw userNotFound(z, ref);
  return user;
}

/** A user's products (`[{id, title, type}]`), or undefined when the user does not exist. 1 call. */
export async function userProducts(z: ZObject, bundle: Bundle, ref: string): Promise<JsonObject[] | undefined> {
  const answer = await callApi(z, bundle, { method: 'GET', path: ['users', ref, 'products'] }, 'undefined');
  return answer === undefined ? undefined : rows(answer);
}

/**
 * Creates a user (the answer is the user: no second read), or, when LearnWorlds refuses the
 * email as taken (422 naming `email`), returns the existing user: 1 call, or 2.
 */
export async function createUser(z: ZObject, bundle: Bundle, body: JsonObject): Promise<{ user: JsonObject; created: boolean }> {
  const answer = await requestApi(z, bundle, { method: 'POST', path: ['users'], body });
  if (answer.status >= 200 && answer.status < 300) return { user: expectObject(z, answer.data, 'the new user'), created: true };
  const emailRefused = answer.status === 422 && isJsonObject(answer.data) && isJsonObject(answer.data.errors) && 'email' in answer.data.errors;
  if (emailRefused && typeof body.email === 'string') {
    const existing = await findUser(z, bundle, body.email);
    if (existing) return { user: existing, created: false };
  }
  throw refusal(z, answer);
}
