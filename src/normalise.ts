/**
 * Turns any LearnWorlds webhook body into the one flat item shape every trigger outputs:
 * envelope fields, the user always at `user` (with `full_name` and `utms`), every time as ISO
 * 8601, and nothing the vendor sent dropped.
 */
import { hash } from 'node:crypto';
import { DATE_KEYS, toIsoDate } from './dates';
import { type JsonObject, type JsonValue, isJsonObject } from './json';

/** Events whose `data` is itself the user (or lead), not a wrapper holding `data.user`. */
const FLAT_USER_EVENTS: ReadonlySet<string> = new Set(['leadCreated', 'userTagAdded', 'userTagDeleted']);
const TAG_EVENTS: ReadonlySet<string> = new Set(['userTagAdded', 'userTagDeleted']);

export interface LearnWorldsEnvelope {
  version?: JsonValue;
  type: string;
  trigger?: JsonValue;
  school_id?: JsonValue;
  data: JsonObject;
}

export interface NormalisedItem extends JsonObject {
  id: string;
  event_type: string;
  event_trigger: string | null;
  school_id: string | null;
  user: JsonObject;
}

/**
 * Converts time values under DATE_KEYS to ISO strings, in place (a delivery's parsed body is
 * ours to reshape; copying it would double the cost). Custom sign-up fields (`fields`) are left
 * alone: their "dates" are the school's own text. Iterative, with an explicit stack, so a body
 * nested thousands of levels deep cannot overflow the call stack.
 */
export function convertDatesInPlace(value: JsonValue): JsonValue {
  const pending: JsonValue[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) {
      for (const inner of next) if (typeof inner === 'object' && inner !== null) pending.push(inner);
    } else if (isJsonObject(next)) {
      for (const key in next) {
        if (key === 'fields') continue;
        const inner = next[key] as JsonValue;
        if (DATE_KEYS.has(key)) next[key] = toIsoDate(inner);
        else if (typeof inner === 'object' && inner !== null) pending.push(inner);
      }
    }
  }
  return value;
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The user in one shape, whichever of the vendor's shapes it came in. Reshapes `raw` in place. */
export function normaliseUser(raw: JsonObject): JsonObject {
  // subscriptionPaymentPlanBought nests the user once more: data.user.user. Inner keys win.
  const nested = raw.user;
  let user: JsonObject = raw;
  if (isJsonObject(nested)) {
    user = nested;
    for (const key in raw) if (key !== 'user' && !(key in user)) user[key] = raw[key] as JsonValue;
  }
  // subscriptionUpdated says `utm`; every other event says `utms`.
  if (!isJsonObject(user.utms)) user.utms = isJsonObject(user.utm) ? user.utm : {};
  delete user.utm;
  if (user.created === undefined && user.created_at !== undefined) user.created = user.created_at;
  user.full_name =
    text(user.full_name) || [text(user.first_name), text(user.last_name)].filter(Boolean).join(' ') || text(user.username);
  convertDatesInPlace(user);
  return user;
}

/**
 * Deterministic: the same delivery always gets the same id. Hashes the raw body when there is
 * one (the bytes LearnWorlds and the hub resend unchanged), else the data as parsed.
 */
export function eventId(type: string, data: JsonObject, rawBody?: string): string {
  return `lw_${hash('sha256', `${type}\n${rawBody ?? JSON.stringify(data)}`).slice(0, 32)}`;
}

/** The item for a delivery. Takes ownership of `body`: its data is reshaped in place. */
export function normaliseEvent(body: LearnWorldsEnvelope, rawBody?: string): NormalisedItem {
  const { type, data } = body;
  const id = eventId(type, data, rawBody);
  const flat = FLAT_USER_EVENTS.has(type);
  const rawUser = flat ? data : data.user;
  const details: JsonObject = flat ? {} : data;
  if (!flat) delete details.user;
  convertDatesInPlace(details);
  const item = details as NormalisedItem;
  item.id = id;
  item.event_type = type;
  item.event_trigger = typeof body.trigger === 'string' ? body.trigger : null;
  item.school_id = typeof body.school_id === 'string' ? body.school_id : null;
  const user = normaliseUser(isJsonObject(rawUser) ? rawUser : {});
  item.user = user;
  if (TAG_EVENTS.has(type)) {
    const tags = Array.isArray(user.tags) ? user.tags.filter((t): t is string => typeof t === 'string') : [];
    item.tags = tags;
    item.tags_text = tags.join(', ');
  }
  return item;
}
