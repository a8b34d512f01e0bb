/**
 * What the hub knows about an event beyond its body, worked out once when it accepted the event
 * (in commit order, from every earlier event of the same user): which tags changed, whether the
 * user is new. The hub sends them with every delivery (header `Learnworlds-Hub-Facts`) and with
 * every recent event; the perform reads them from there, never from LearnWorlds again.
 */
import { type JsonObject, isJsonObject } from './json';

/** The facts the hub works out from a user's earlier events (what filters may read). */
export interface EventFacts {
  /** Tag events: tags in the list now that were not in the list the hub last saw for this user (as LearnWorlds spells them). */
  tags_added?: string[];
  /** Tag events: tags the hub last saw for this user that are no longer in the list. */
  tags_removed?: string[];
  /** Tag events: false when the hub had never seen this user's tags (both lists are then empty). */
  tags_change_known?: boolean;
  /** User events: the user registered at most an hour before the hub received the event. */
  is_new_user?: boolean;
}

export interface HubFacts extends EventFacts {
  /** The hub's id of this accepted event: a real repeat of an earlier body is a new event with a new id. */
  event_id: string;
  /** When the hub accepted it (ISO 8601). */
  received_at: string;
}

/** A user counts as new for this long after registering. */
export const NEW_USER_WINDOW_MS = 60 * 60 * 1000;

/** Whether a user who registered at `registeredMs` is new at `atMs` (registered at most an hour before). */
export function isNewUser(registeredMs: number | undefined, atMs: number): boolean {
  return registeredMs !== undefined && atMs - registeredMs <= NEW_USER_WINDOW_MS;
}

/** Header-safe text for the facts (base64url JSON: tags can be any Unicode). */
export function encodeHubFacts(facts: HubFacts): string {
  return Buffer.from(JSON.stringify(facts), 'utf8').toString('base64url');
}

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined);

/** The event facts from their JSON form (a stored column), checked field by field; unknown fields dropped. */
export function eventFactsFrom(value: unknown): EventFacts {
  const facts: EventFacts = {};
  if (!isJsonObject(value)) return facts;
  const added = strings(value.tags_added);
  const removed = strings(value.tags_removed);
  if (added && removed && typeof value.tags_change_known === 'boolean') {
    facts.tags_added = added;
    facts.tags_removed = removed;
    facts.tags_change_known = value.tags_change_known;
  }
  if (typeof value.is_new_user === 'boolean') facts.is_new_user = value.is_new_user;
  return facts;
}

/** The facts from their JSON form, checked field by field; undefined when they are not facts. */
export function hubFactsFrom(value: unknown): HubFacts | undefined {
  if (!isJsonObject(value) || typeof value.event_id !== 'string' || typeof value.received_at !== 'string') return undefined;
  return { event_id: value.event_id, received_at: value.received_at, ...eventFactsFrom(value) };
}

/** The facts from a header value; undefined when it is missing or not facts. */
export function decodeHubFacts(text: string | undefined): HubFacts | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return hubFactsFrom(parsed);
  } catch {
    return undefined;
  }
}

/** The facts' JSON form (for a JSON body or column), in a fixed key order. */
export function eventFactsJson(facts: EventFacts): JsonObject {
  const out: JsonObject = {};
  if (facts.tags_added && facts.tags_removed && facts.tags_change_known !== undefined) {
    out.tags_added = facts.tags_added;
    out.tags_removed = facts.tags_removed;
    out.tags_change_known = facts.tags_change_known;
  }
  if (facts.is_new_user !== undefined) out.is_new_user = facts.is_new_user;
  return out;
}
