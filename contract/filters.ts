/**
 * Trigger filters, one meaning for the app and the hub. The hub fans a delivery out only to Zaps
 * whose filters it matches (no request to Zapier otherwise); the Zap's perform checks again
 * (defence in depth) with the same facts, the hub's included (contract/hub-facts.ts).
 * Values compare trimmed and case-insensitively.
 *
 * - `course_id`, `learning_program_id`: the event's course or learning program.
 * - `product_id`: the product bought, enrolled, canceled…; on Subscription Updated the plan after
 *   the change (`new_plan`) only. `previous_product_id`: the plan before it (`plan`).
 * - `tag`: on Tags Added the tag was added by this event, on Tags Removed it was removed (both from
 *   the hub's tag state; an unknown change matches no tag); elsewhere the user has the tag.
 * - `payment_origin`: `paid` or `manual_grant` (an admin added the product without payment), on
 *   the purchase and payment events; `any` is no filter.
 * - `only_new_users`: `true` keeps users who registered within the hour before the event.
 */
import { eventUser } from './event-user';
import type { EventFacts } from './hub-facts';
import { type JsonObject, type JsonValue, isJsonObject } from './json';

export const FILTER_KEYS = ['course_id', 'learning_program_id', 'product_id', 'previous_product_id', 'tag', 'payment_origin', 'only_new_users'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;
/** What an event offers each filter: every candidate value, trimmed and lowercased. */
export type FilterFacts = Record<FilterKey, string[]>;

export const PAYMENT_ORIGINS = ['any', 'paid', 'manual_grant'] as const;
export type PaymentOrigin = (typeof PAYMENT_ORIGINS)[number];

/** The events whose payment may be an admin's grant rather than money paid. */
export const PAYMENT_EVENTS: ReadonlySet<string> = new Set(['productBought', 'paymentCreated', 'subscriptionPaymentPlanBought']);

export function isFilterKey(key: string): key is FilterKey {
  return (FILTER_KEYS as readonly string[]).includes(key);
}

/** Where the id-like filters find their values in a webhook's `data`. */
const FACT_PATHS: Record<'course_id' | 'learning_program_id' | 'product_id', string[][]> = {
  course_id: [
    ['course', 'id'],
    ['certificate', 'course_id'],
  ],
  learning_program_id: [['learningProgram', 'id']],
  product_id: [
    ['payment', 'product', 'id'],
    ['product', 'id'],
    ['subscription', 'id'],
  ],
};

function at(data: JsonObject, path: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = data;
  for (const step of path) current = isJsonObject(current) ? current[step] : undefined;
  return current;
}

export function normaliseFilterValue(value: string): string {
  return value.trim().toLowerCase();
}

/** LearnWorlds' own mark of a product an admin added without payment (the vendor example's `transaction_id`). */
const ADMIN_GRANT = /^added by admin/i;

/**
 * True when the event's payment is an admin's grant, not money paid: `payment.transaction_id`
 * starts with "Added by admin" (LearnWorlds' mark, any case), or the payment names neither a
 * gateway nor a transaction (nothing was charged anywhere).
 */
export function isManualGrant(data: JsonObject): boolean {
  const payment = isJsonObject(data.payment) ? data.payment : undefined;
  if (!payment) return false;
  const transaction = typeof payment.transaction_id === 'string' ? payment.transaction_id.trim() : '';
  const gateway = typeof payment.gateway === 'string' ? payment.gateway.trim() : '';
  return ADMIN_GRANT.test(transaction) || (gateway === '' && transaction === '');
}

/** What `tag` means for this event: the change on tag events (hub facts), the user's tags elsewhere. */
function tagValues(type: string, data: JsonObject, hub: EventFacts | undefined): readonly string[] {
  if (type === 'userTagAdded') return hub?.tags_added ?? [];
  if (type === 'userTagDeleted') return hub?.tags_removed ?? [];
  return eventUser(type, data).tags ?? [];
}

/** The values an event offers to each filter: from the body as LearnWorlds sent it, and the hub's facts. */
export function filterFacts(type: string, data: JsonObject, hub?: EventFacts): FilterFacts {
  const texts = (values: ReadonlyArray<JsonValue | undefined>) => values.filter((v): v is string => typeof v === 'string').map(normaliseFilterValue);
  const subscriptionChange = type === 'subscriptionUpdated';
  return {
    course_id: texts(FACT_PATHS.course_id.map((p) => at(data, p))),
    learning_program_id: texts(FACT_PATHS.learning_program_id.map((p) => at(data, p))),
    product_id: texts(subscriptionChange ? [at(data, ['new_plan', 'id'])] : FACT_PATHS.product_id.map((p) => at(data, p))),
    previous_product_id: texts(subscriptionChange ? [at(data, ['plan', 'id'])] : []),
    tag: texts(tagValues(type, data, hub)),
    payment_origin: PAYMENT_EVENTS.has(type) ? [isManualGrant(data) ? 'manual_grant' : 'paid'] : [],
    only_new_users: hub?.is_new_user === true ? ['true'] : [],
  };
}

/** Why a filter value is not allowed (undefined when it is). */
export function filterValueProblem(key: FilterKey, value: string): string | undefined {
  const v = normaliseFilterValue(value);
  if (key === 'payment_origin' && !(PAYMENT_ORIGINS as readonly string[]).includes(v))
    return `filters.payment_origin must be one of ${PAYMENT_ORIGINS.join(', ')}`;
  if (key === 'only_new_users' && v !== 'true' && v !== 'false') return 'filters.only_new_users must be true or false';
  return undefined;
}

/**
 * The filters that restrict anything, from a Zap's inputs or a subscription request: text trimmed,
 * empties dropped, `payment_origin: any` and `only_new_users: false` dropped (they keep everything),
 * booleans as `true`. Values that `filterValueProblem` refuses are kept, for the caller to refuse.
 */
export function activeFilters(input: Partial<Record<FilterKey, unknown>>): Filters {
  const out: Filters = {};
  for (const key of FILTER_KEYS) {
    const raw = input[key];
    const value = typeof raw === 'boolean' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (value === '') continue;
    if (key === 'payment_origin' && normaliseFilterValue(value) === 'any') continue;
    if (key === 'only_new_users') {
      if (normaliseFilterValue(value) === 'false') continue;
      if (normaliseFilterValue(value) === 'true') {
        out[key] = 'true';
        continue;
      }
    }
    out[key] = value;
  }
  return out;
}

/** True when every chosen filter is among the event's facts (no filter: always). */
export function matchesFilters(facts: FilterFacts, filters: Filters): boolean {
  const active = activeFilters(filters);
  return FILTER_KEYS.every((key) => {
    const want = active[key];
    return want === undefined || facts[key].includes(normaliseFilterValue(want));
  });
}
