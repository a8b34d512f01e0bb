/** Each trigger's static sample: its vendor example, normalised exactly like a live delivery. */
import type { EventFacts, HubFacts } from '../../contract';
import type { EventSpec, LearnWorldsEventType } from '../catalogue';
import { isJsonObject } from '../../contract/json';
import { type NormalisedItem, normaliseEvent } from './normalise';
import { VENDOR_PAYLOADS } from '../../contract/payloads';

/** Custom sign-up fields (`cf_*`) differ per school, so a sample must not promise them. */
function withoutCustomFields(item: NormalisedItem): NormalisedItem {
  const fields = item.user.fields;
  if (!isJsonObject(fields)) return item;
  const kept = Object.fromEntries(Object.entries(fields).filter(([key]) => !key.startsWith('cf_')));
  return { ...item, user: { ...item.user, fields: kept } };
}

/**
 * What the hub would have worked out for the vendor examples: the tag examples read as one user's
 * sequence (["hi", "user", "new", "learner"], then ["hi", "user"]).
 */
const SAMPLE_FACTS: Partial<Record<LearnWorldsEventType, EventFacts>> = {
  userTagAdded: { tags_added: ['learner'], tags_removed: [], tags_change_known: true },
  userTagDeleted: { tags_added: [], tags_removed: ['new', 'learner'], tags_change_known: true },
  userUpdated: { is_new_user: true },
};

const SAMPLE_RECEIVED_AT = '2021-11-18T11:40:26.533Z';

export function sampleFor(spec: EventSpec): NormalisedItem {
  const payload = VENDOR_PAYLOADS[spec.sampleType];
  const { type, data } = payload;
  if (typeof type !== 'string' || !isJsonObject(data)) throw new Error(`Vendor payload ${spec.sampleType} has no type/data`);
  const facts: HubFacts = { event_id: `sample-${spec.sampleType}`, received_at: SAMPLE_RECEIVED_AT, ...SAMPLE_FACTS[spec.sampleType] };
  return withoutCustomFields(normaliseEvent({ ...payload, type, data: structuredClone(data) }, undefined, facts));
}
