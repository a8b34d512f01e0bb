/**
 * Optional trigger filters: a course, learning program, product or tag chosen in the Zap editor.
 * A delivery that does not match returns [] so the Zap does not run.
 */
import type { FilterKind } from '../catalogue';
import { type JsonObject, type JsonValue, getPath } from '../common/json';

export const FILTER_INPUT_KEYS: Record<FilterKind, string> = {
  course: 'course_id',
  learning_program: 'learning_program_id',
  product: 'product_id',
  tag: 'tag',
};

/** Where each filter finds the id to compare with, across the events that offer it. */
const FILTER_PATHS: Record<Exclude<FilterKind, 'tag'>, string[]> = {
  course: ['course.id', 'certificate.course_id'],
  learning_program: ['learningProgram.id'],
  product: ['payment.product.id', 'product.id', 'subscription.id', 'plan.id', 'new_plan.id'],
};

function wanted(inputData: Record<string, unknown>, kind: FilterKind): string | undefined {
  const value = inputData[FILTER_INPUT_KEYS[kind]];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function sameText(a: JsonValue | undefined, b: string): boolean {
  return typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();
}

export function matchesFilters(item: JsonObject, kinds: FilterKind[], inputData: Record<string, unknown>): boolean {
  return kinds.every((kind) => {
    const want = wanted(inputData, kind);
    if (want === undefined) return true;
    if (kind === 'tag') {
      const tags = getPath(item, 'user.tags');
      return Array.isArray(tags) && tags.some((t) => sameText(t, want));
    }
    return FILTER_PATHS[kind].some((path) => sameText(getPath(item, path), want));
  });
}

/** The filters chosen for a subscription, as sent to the hub. */
export function chosenFilters(kinds: FilterKind[], inputData: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of kinds) {
    const want = wanted(inputData, kind);
    if (want !== undefined) out[FILTER_INPUT_KEYS[kind]] = want;
  }
  return out;
}
