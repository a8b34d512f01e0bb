/**
 * Labelled output fields derived from a trigger's sample, so the two can never drift apart:
 * every leaf key of the sample (Zapier's `parent__child` notation) gets a label and a type.
 */
import { DATE_KEYS } from './dates';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';

export interface OutputField {
  key: string;
  label: string;
  type?: 'string' | 'number' | 'boolean' | 'datetime' | 'integer';
  list?: boolean;
}

const WORDS: Record<string, string> = {
  id: 'ID',
  ids: 'IDs',
  url: 'URL',
  utm: 'UTM',
  utms: 'UTM',
  fc: 'First-Click',
  lc: 'Last-Click',
  bf: 'Billing',
  ip: 'IP',
  eu: 'EU',
  nps: 'NPS',
  cf: 'Custom Field',
  taxid: 'Tax ID',
  postalcode: 'Postal Code',
  fb: 'Facebook',
  lw: 'LearnWorlds',
};

/** Keys whose generic label would mislead: the whole key, or its first segment. */
const LABELS: Record<string, string> = {
  tags: 'Tags After the Change',
  tags_text: 'Tags After the Change (Text)',
};
const FIRST_SEGMENT_LABELS: Record<string, string> = {
  // Subscription Updated: the plan before the change, and the one after.
  plan: 'Previous Plan',
  new_plan: 'New Plan',
};

/** "user__utms__fc_source" → "User UTM First-Click Source"; "afterPurchase" → "After Purchase"; "plan__name" → "Previous Plan Name". */
export function labelFor(key: string): string {
  const fixed = LABELS[key];
  if (fixed) return fixed;
  const [first = '', ...rest] = key.split('__');
  const prefix = FIRST_SEGMENT_LABELS[first];
  if (prefix && rest.length > 0) return `${prefix} ${wordsOf(rest.join('__'))}`;
  return wordsOf(key);
}

function wordsOf(key: string): string {
  return key
    .split('__')
    .flatMap((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').split('_'))
    .filter(Boolean)
    .map((word) => WORDS[word.toLowerCase()] ?? word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(' ');
}

function typeOf(key: string, value: JsonValue): OutputField['type'] {
  const last = key.split('__').pop() ?? key;
  if (DATE_KEYS.has(last) && typeof value === 'string') return 'datetime';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/** Leaf keys of an item in Zapier's flattened notation, with their values. */
export function flattenKeys(value: JsonObject, prefix = ''): Array<[string, JsonValue]> {
  return Object.entries(value).flatMap(([key, inner]): Array<[string, JsonValue]> => {
    const path = prefix ? `${prefix}__${key}` : key;
    return isJsonObject(inner) ? flattenKeys(inner, path) : [[path, inner]];
  });
}

export function outputFieldsFor(sample: JsonObject): OutputField[] {
  return flattenKeys(sample).map(([key, value]) => {
    const field: OutputField = { key, label: labelFor(key), type: typeOf(key, value) };
    if (Array.isArray(value)) field.list = true;
    return field;
  });
}
