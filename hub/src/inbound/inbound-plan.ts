/**
 * What each accepted delivery is, given what the hub last saw of its user, in commit order: a
 * LearnWorlds retry (the same body as the user's last event, within the window) or a new event,
 * with its hub facts (which tags changed, whether the user is new) and the facts the Zaps'
 * filters read. Pure: the store locks and reads the users' state, calls this, writes the result.
 */
import { type EventFacts, type FilterFacts, type JsonObject, eventUser, filterFacts, isNewUser, tagChange } from '../../../contract';

const TAG_EVENTS: ReadonlySet<string> = new Set(['userTagAdded', 'userTagDeleted']);

export interface InboundEvent {
  tenantKey: string;
  eventType: string;
  /** The body's `data`, parsed (an empty object when it has none). */
  data: JsonObject;
  bodyHash: string;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((tag, i) => tag === b[i]);
}

/** Whose events a repeat is judged against: the user's id, or '' (the school) for events without one. */
export function subjectOf(item: InboundEvent): string {
  return eventUser(item.eventType, item.data).id ?? '';
}

export const stateKey = (tenantKey: string, subject: string): string => `${tenantKey}\u0000${subject}`;

/** What the hub knows of one subject before the batch: the hash of its last event (while within the window) and its tags. */
export interface SubjectState {
  lastHash?: string;
  tags?: string[];
}

export type PlannedEvent = { duplicate: true } | { duplicate: false; facts: EventFacts; filterFacts: FilterFacts };

export interface InboundPlan {
  events: PlannedEvent[];
  /** The new last event of each subject (one write per subject). */
  lastHashes: Array<{ tenantKey: string; subject: string; bodyHash: string }>;
  /** The new tag list of each user whose tags an event carried (one write per user). */
  tags: Array<{ tenantKey: string; userId: string; tags: string[] }>;
}

/**
 * Plans a batch in order: each item sees the state its predecessors in the batch left behind, so a
 * batch is planned exactly as if its items had been committed one by one.
 */
export function planInbound(items: readonly InboundEvent[], state: ReadonlyMap<string, SubjectState>, receivedAtMs: number): InboundPlan {
  const now = new Map<string, SubjectState>();
  const current = (key: string): SubjectState => now.get(key) ?? { ...state.get(key) };
  const lastHashes = new Map<string, InboundPlan['lastHashes'][number]>();
  const tags = new Map<string, InboundPlan['tags'][number]>();
  const events = items.map((item): PlannedEvent => {
    const user = eventUser(item.eventType, item.data);
    const subject = user.id ?? '';
    const key = stateKey(item.tenantKey, subject);
    const known = current(key);
    if (known.lastHash === item.bodyHash) return { duplicate: true };
    const facts: EventFacts = {};
    const next: SubjectState = { ...known, lastHash: item.bodyHash };
    if (TAG_EVENTS.has(item.eventType)) {
      const change = user.id !== undefined && known.tags !== undefined && user.tags !== undefined ? tagChange(known.tags, user.tags) : undefined;
      facts.tags_added = change?.added ?? [];
      facts.tags_removed = change?.removed ?? [];
      facts.tags_change_known = change !== undefined;
    }
    if (item.eventType === 'userUpdated') facts.is_new_user = isNewUser(user.registeredMs, receivedAtMs);
    // Most events repeat the list the hub already has: only a different one is written.
    if (user.id !== undefined && user.tags !== undefined && !sameList(known.tags, user.tags)) {
      next.tags = user.tags;
      tags.set(key, { tenantKey: item.tenantKey, userId: user.id, tags: user.tags });
    }
    now.set(key, next);
    lastHashes.set(key, { tenantKey: item.tenantKey, subject, bodyHash: item.bodyHash });
    return { duplicate: false, facts, filterFacts: filterFacts(item.eventType, item.data, facts) };
  });
  return { events, lastHashes: [...lastHashes.values()], tags: [...tags.values()] };
}
