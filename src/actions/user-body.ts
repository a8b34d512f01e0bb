/**
 * What the user actions make of their inputs: the body of a new user, usernames from emails,
 * custom sign-up fields and tag lists.
 */
import type { ZObject } from 'zapier-platform-core';
import type { JsonObject } from '../../contract/json';
import { userRef } from '../api/users';

/** "ada.lovelace+vip@example.com" → "ada.lovelace_vip": LearnWorlds usernames from an email. */
export function usernameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? '';
  return local.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+|[._-]+$/g, '') || 'learner';
}

/** Custom sign-up fields as the API wants them: every key `cf_`-prefixed, empty values dropped. */
export function customFields(input: unknown): JsonObject {
  const out: JsonObject = {};
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return out;
  for (const [key, value] of Object.entries(input)) {
    const name = key.trim().replace(/^cf_/i, '');
    if (name === '' || value === undefined || value === null || String(value).trim() === '') continue;
    out[`cf_${name}`] = String(value).trim();
  }
  return out;
}

/** Tags from a list or comma-separated text: trimmed, empties and repeats (any case) dropped. */
export function parseTags(input: unknown): string[] {
  const parts = (Array.isArray(input) ? input : [input]).flatMap((item) =>
    typeof item === 'string' || typeof item === 'number' ? String(item).split(',') : [],
  );
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of parts) {
    const tag = part.trim();
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

/** The body of POST /v2/users from the action's input: never `is_admin`. */
export function newUserBody(z: ZObject, inputData: Record<string, unknown>): JsonObject {
  const email = userRef(z, inputData.email, 'Email');
  if (!email.includes('@')) throw new z.errors.Error(`"${email}" is not an email address.`, 'InvalidEmail', 400);
  const username = typeof inputData.username === 'string' && inputData.username.trim() !== '' ? inputData.username.trim() : usernameFromEmail(email);
  const body: JsonObject = { email, username };
  if (typeof inputData.password === 'string' && inputData.password !== '') body.password = inputData.password;
  body.send_registration_email = inputData.send_registration_email === true;
  if (typeof inputData.subscribed_for_marketing_emails === 'boolean') body.subscribed_for_marketing_emails = inputData.subscribed_for_marketing_emails;
  const tags = parseTags(inputData.tags);
  if (tags.length > 0) body.tags = tags;
  const fields = customFields(inputData.fields);
  if (Object.keys(fields).length > 0) body.fields = fields;
  return body;
}
