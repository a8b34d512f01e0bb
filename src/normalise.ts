/**
 * Turns any LearnWorlds webhook body into the one flat item shape every trigger outputs:
 * envelope fields, the user always at `user` (with `full_name` and `utms`), every time as ISO
 * 8601, and nothing the vendor sent dropped.
 */
import { createHash } from 'node:crypto';
import { DATE_KEYS, toIsoDate } from './dates';
import { type JsonObject, type JsonValue, isJsonObject, stableStringify } from './json';

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

/** Converts time values under DATE_KEYS, recursively; custom sign-up fields are left alone. */
export function convertDates(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(convertDates);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'fields') out[key] = inner;
    else if (DATE_KEYS.has(key)) out[key] = toIsoDate(inner);
    else out[key] = convertDates(inner);
  }
  return out;
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The user in one shape, whichever of the vendor's shapes it came in. */
export function normaliseUser(raw: JsonObject): JsonObject {
  // subscriptionPaymentPlanBought nests the user once more: data.user.user.
  const { user: nested, ...outer } = raw;
  const merged: JsonObject = isJsonObject(nested) ? { ...outer, ...nested } : { ...raw };
  // subscriptionUpdated says `utm`; every other event says `utms`.
  if (!isJsonObject(merged.utms)) {
    merged.utms = isJsonObject(merged.utm) ? merged.utm : {};
  }
  delete merged.utm;
  if (merged.created === undefined && merged.created_at !== undefined) merged.created = merged.created_at;
  const fullName =
    text(merged.full_name) ||
    [text(merged.first_name), text(merged.last_name)].filter(Boolean).join(' ') ||
    text(merged.username);
  merged.full_name = fullName;
  return convertDates(merged) as JsonObject;
}

/** Deterministic: the same delivery (same type and data) always gets the same id. */
export function eventId(type: string, data: JsonObject): string {
  const digest = createHash('sha256').update(type).update('\n').update(stableStringify(data)).digest('hex');
  return `lw_${digest.slice(0, 32)}`;
}

export function normaliseEvent(body: LearnWorldsEnvelope): NormalisedItem {
  const { type, data } = body;
  const flat = FLAT_USER_EVENTS.has(type);
  const { user: rawUser, ...rest } = data;
  const userSource: JsonObject = flat ? data : isJsonObject(rawUser) ? rawUser : {};
  const user = normaliseUser(userSource);
  const details = flat ? {} : (convertDates(rest) as JsonObject);
  const item: NormalisedItem = {
    ...details,
    id: eventId(type, data),
    event_type: type,
    event_trigger: typeof body.trigger === 'string' ? body.trigger : null,
    school_id: typeof body.school_id === 'string' ? body.school_id : null,
    user,
  };
  if (TAG_EVENTS.has(type)) {
    const tags = Array.isArray(user.tags) ? user.tags.filter((t): t is string => typeof t === 'string') : [];
    item.tags = tags;
    item.tags_text = tags.join(', ');
  }
  return item;
}
