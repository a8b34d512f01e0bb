/**
 * The user an event is about, wherever LearnWorlds puts it (`data.user`, `data.user.user`, or the
 * flat `data` of the lead and tag events): the hub keys its per-user state (tags, repeats) on it.
 */
import { FLAT_USER_EVENTS } from './events';
import { type JsonObject, isJsonObject } from './json';
import { timeMs } from './time';

/** The user object of an event, as LearnWorlds sent it; undefined when the event has none. */
export function eventUserObject(type: string, data: JsonObject): JsonObject | undefined {
  if (FLAT_USER_EVENTS.has(type)) return data;
  const user = isJsonObject(data.user) ? data.user : undefined;
  return isJsonObject(user?.user) ? user.user : user;
}

export interface EventUser {
  /** LearnWorlds' user id; undefined for events without one (an email lead). */
  id?: string;
  /** The user's whole tag list as this event carries it; undefined when the event carries none. */
  tags?: string[];
  /** When the user registered (ms since the epoch), when the event says. */
  registeredMs?: number;
}

export function eventUser(type: string, data: JsonObject): EventUser {
  const user = eventUserObject(type, data);
  if (!user) return {};
  const out: EventUser = {};
  // A lead is not a user yet: its object has no id of its own.
  if (type !== 'leadCreated' && typeof user.id === 'string' && user.id.trim() !== '') out.id = user.id.trim();
  if (Array.isArray(user.tags)) out.tags = user.tags.filter((t): t is string => typeof t === 'string');
  const registered = timeMs(user.created ?? user.created_at);
  if (registered !== undefined) out.registeredMs = registered;
  return out;
}
