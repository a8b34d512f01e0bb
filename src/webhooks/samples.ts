/** Each trigger's static sample: its vendor example, normalised exactly like a live delivery. */
import type { EventSpec } from '../catalogue';
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

export function sampleFor(spec: EventSpec): NormalisedItem {
  const payload = VENDOR_PAYLOADS[spec.sampleType];
  const { type, data } = payload;
  if (typeof type !== 'string' || !isJsonObject(data)) throw new Error(`Vendor payload ${spec.sampleType} has no type/data`);
  return withoutCustomFields(normaliseEvent({ ...payload, type, data: structuredClone(data) }));
}
