/**
 * Turns any LearnWorlds webhook body into the one flat item shape every trigger outputs:
 * envelope fields, the user always at `user` (with `full_name` and `utms`), every time as ISO
 * 8601, and nothing the vendor sent dropped.
 */
import { hash } from 'node:crypto';
import { convertDatesInPlace } from '../common/dates';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';
import { normaliseUser } from '../common/user';
import { FLAT_USER_EVENTS } from '../../contract';

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
