/**
 * A trigger's optional filter (course, learning program, product or tag chosen in the Zap
 * editor), with the contract's meaning (contract/filters.ts): the same check the hub makes
 * before fanning a delivery out, repeated in the perform as defence in depth.
 */
import { type FilterKey, type Filters, type JsonObject, filterFacts, matchesFilters } from '../../contract';
import type { FilterKind } from '../catalogue';

/** The Zap editor input of each filter kind; also the key the hub stores the filter under. */
export const FILTER_INPUT_KEYS: Record<FilterKind, FilterKey> = {
  course: 'course_id',
  learning_program: 'learning_program_id',
  product: 'product_id',
  tag: 'tag',
};

/** The filters chosen for a Zap (only the kinds its trigger offers), as sent to the hub. */
export function chosenFilters(kinds: FilterKind[], inputData: Record<string, unknown>): Filters {
  const out: Filters = {};
  for (const kind of kinds) {
    const key = FILTER_INPUT_KEYS[kind];
    const value = inputData[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/** Whether this Zap wants the event: its facts are only worked out when a filter was chosen. */
export function zapWants(type: string, data: JsonObject, kinds: FilterKind[], inputData: Record<string, unknown>): boolean {
  const filters = chosenFilters(kinds, inputData);
  return Object.keys(filters).length === 0 || matchesFilters(filterFacts(type, data), filters);
}
