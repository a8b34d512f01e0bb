/**
 * Trigger filters, one meaning for the app and the hub: a Zap may ask for one course, learning
 * program, product or tag. The hub fans a delivery out only to Zaps whose filters it matches
 * (no request to Zapier otherwise); the Zap's perform checks again (defence in depth).
 * Values compare trimmed and case-insensitively; a tag matches when the user's tag list after
 * the change (LearnWorlds sends the whole list) contains it.
 */
import { FLAT_USER_EVENTS } from './events';
import { type JsonObject, type JsonValue, isJsonObject } from './json';

export const FILTER_KEYS = ['course_id', 'learning_program_id', 'product_id', 'tag'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;
/** What an event offers each filter: every candidate value, trimmed and lowercased. */
export type FilterFacts = Record<FilterKey, string[]>;

export function isFilterKey(key: string): key is FilterKey {
  return (FILTER_KEYS as readonly string[]).includes(key);
}

/** Where each filter finds its values in a webhook's `data`. */
const FACT_PATHS: Record<Exclude<FilterKey, 'tag'>, string[][]> = {
  course_id: [['course', 'id'], ['certificate', 'course_id']],
  learning_program_id: [['learningProgram', 'id']],
  product_id: [['payment', 'product', 'id'], ['product', 'id'], ['subscription', 'id'], ['plan', 'id'], ['new_plan', 'id']],
};

function at(data: JsonObject, path: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = data;
  for (const step of path) current = isJsonObject(current) ? current[step] : undefined;
  return current;
}

export function normaliseFilterValue(value: string): string {
  return value.trim().toLowerCase();
}

/** The user's tags after the change, wherever the event puts the user. */
function tagsOf(type: string, data: JsonObject): JsonValue | undefined {
  if (FLAT_USER_EVENTS.has(type)) return data.tags;
  const user = isJsonObject(data.user) ? data.user : undefined;
  return (isJsonObject(user?.user) ? user.user.tags : undefined) ?? user?.tags;
}

/** The values an event offers to each filter (from the body as LearnWorlds sent it). */
export function filterFacts(type: string, data: JsonObject): FilterFacts {
  const texts = (values: Array<JsonValue | undefined>) => values.filter((v): v is string => typeof v === 'string').map(normaliseFilterValue);
  const tags = tagsOf(type, data);
  return {
    course_id: texts(FACT_PATHS.course_id.map((p) => at(data, p))),
    learning_program_id: texts(FACT_PATHS.learning_program_id.map((p) => at(data, p))),
    product_id: texts(FACT_PATHS.product_id.map((p) => at(data, p))),
    tag: texts(Array.isArray(tags) ? tags : []),
  };
}

/** True when every chosen filter is among the event's facts (no filter: always). */
export function matchesFilters(facts: FilterFacts, filters: Filters): boolean {
  return FILTER_KEYS.every((key) => {
    const want = filters[key];
    return want === undefined || want.trim() === '' || facts[key].includes(normaliseFilterValue(want));
  });
}
