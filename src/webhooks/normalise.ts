/**
 * Turns any LearnWorlds webhook body into the one flat item shape every trigger outputs:
 * envelope fields, the user always at `user` (with `full_name` and `utms`), every time as ISO
 * 8601, and nothing the vendor sent dropped.
 */
import { hash } from 'node:crypto';
import { convertDatesInPlace } from '../common/dates';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';
import { normaliseUser } from '../common/user';
import { FLAT_USER_EVENTS, type HubFacts, PAYMENT_EVENTS, eventUser, isManualGrant, isNewUser } from '../../contract';

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
 * one (the bytes LearnWorlds and the hub resend unchanged), else the data as parsed, and the
 * hub's event id when the hub accepted it: a real repeat of an earlier body (a tag added again)
 * is a new event with its own id, a retry of one delivery keeps it.
 */
export function eventId(type: string, data: JsonObject, rawBody?: string, hubEventId?: string): string {
  const event = hubEventId === undefined ? '' : `\nhub:${hubEventId}`;
  return `lw_${hash('sha256', `${type}\n${rawBody ?? JSON.stringify(data)}${event}`).slice(0, 32)}`;
}

/**
 * The item for a delivery, with what the hub worked out about it (`facts`: which tags changed,
 * whether the user is new; without them a tag change counts as unknown and a user as new by the
 * perform's own clock). Takes ownership of `body`: its data is reshaped in place.
 */
export function normaliseEvent(body: LearnWorldsEnvelope, rawBody?: string, facts?: HubFacts): NormalisedItem {
  const { type, data } = body;
  const id = eventId(type, data, rawBody, facts?.event_id);
  const manualGrant = PAYMENT_EVENTS.has(type) ? isManualGrant(data) : undefined;
  const newUser = type === 'userUpdated' ? (facts?.is_new_user ?? isNewUser(eventUser(type, data).registeredMs, Date.now())) : undefined;
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
    item.tags_added = facts?.tags_added ?? [];
    item.tags_removed = facts?.tags_removed ?? [];
    item.tags_change_known = facts?.tags_change_known ?? false;
  }
  if (manualGrant !== undefined) item.is_manual_grant = manualGrant;
  if (newUser !== undefined) item.is_new_user = newUser;
  return item;
}
