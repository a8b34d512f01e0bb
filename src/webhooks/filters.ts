/**
 * A trigger's optional filters (chosen in the Zap editor), with the contract's meaning
 * (contract/filters.ts): the same check the hub makes before fanning a delivery out, with the
 * same facts (the hub's included), repeated in the perform as defence in depth.
 */
import { type EventFacts, type FilterKey, type Filters, type JsonObject, activeFilters, filterFacts, matchesFilters } from '../../contract';
import type { FilterKind } from '../catalogue';

/** The Zap editor input of each filter kind; also the key the hub stores the filter under. */
export const FILTER_INPUT_KEYS: Record<FilterKind, FilterKey> = {
  course: 'course_id',
  learning_program: 'learning_program_id',
  product: 'product_id',
  previous_product: 'previous_product_id',
  tag: 'tag',
  payment_origin: 'payment_origin',
  new_users: 'only_new_users',
};

/** The filters chosen for a Zap (only the kinds its trigger offers, only those that restrict anything), as sent to the hub. */
export function chosenFilters(kinds: readonly FilterKind[], inputData: Record<string, unknown>): Filters {
  return activeFilters(Object.fromEntries(kinds.map((kind) => [FILTER_INPUT_KEYS[kind], inputData[FILTER_INPUT_KEYS[kind]]])));
}

/** Whether this Zap wants the event: its facts are only worked out when a filter was chosen. */
export function zapWants(
  type: string,
  data: JsonObject,
  facts: EventFacts | undefined,
  kinds: readonly FilterKind[],
  inputData: Record<string, unknown>,
): boolean {
  const filters = chosenFilters(kinds, inputData);
  return Object.keys(filters).length === 0 || matchesFilters(filterFacts(type, data, facts), filters);
}
