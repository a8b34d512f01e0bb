/**
 * Builds a REST-hook trigger from its event catalogue entry: the shared perform wrapper, the
 * hub subscription, performList, filters, sample and labelled output fields.
 */
import { type Bundle, type ZObject, defineTrigger } from 'zapier-platform-core';
import { type EventSpec, type FilterKind, specByKey } from '../catalogue';
import { FILTER_INPUT_KEYS } from './filters';
import { subscribeToHub, unsubscribeFromHub } from './hub-client';
import { makeHookPerform } from './hook-perform';
import { listRecent } from './list-recent';
import { outputFieldsFor } from '../common/output-fields';
import { sampleFor } from './samples';

const FILTER_FIELDS: Record<FilterKind, { label: string; dynamic?: string; helpText: string }> = {
  course: { label: 'Course', dynamic: 'course_list.id.title', helpText: 'Only run for this course. Leave empty to run for every course.' },
  learning_program: { label: 'Learning Program', dynamic: 'learning_program_list.id.title', helpText: 'Only run for this learning program. Leave empty to run for every learning program.' },
  product: { label: 'Product', dynamic: 'product_list.id.title', helpText: 'Only run for this course, bundle or subscription plan. Leave empty to run for every product.' },
  tag: {
    label: 'Tag',
    helpText: "Only run when the user's tags, after the change, include this tag. LearnWorlds sends the user's full tag list, not just the tags that changed.",
  },
};

/** What a trigger test shows when the hub has no real event of this kind yet. */
const FALLBACK_HELP: Record<EventSpec['list'], string> = {
  users: "your school's most recent users from the LearnWorlds API, shaped like the event",
  leads: "your school's most recent email leads from the LearnWorlds API, shaped like the event",
  payments: "your school's most recent payments from the LearnWorlds API, shaped like the event",
  certificates: 'with a course chosen, recent certificates of that course from the LearnWorlds API; without one, an example',
  sample: 'an example (LearnWorlds cannot list past events of this kind)',
};

export function testHelp(spec: EventSpec): string {
  const what = spec.type === '*' ? 'events' : `"${spec.learnworldsName}" events`;
  return (
    `When you test this trigger, Zapier shows the last real ${what} LearnWorlds sent your school (kept by the hub for 7 days), ` +
    `exactly as the Zap will get them, with your filter applied; before the first one arrives, ${FALLBACK_HELP[spec.list]}.`
  );
}

export function hubWebhookUrl(env: NodeJS.ProcessEnv = process.env): string {
  const hub = (env.HUB_URL ?? '').trim().replace(/\/+$/, '');
  return hub ? `${hub}/v1/learnworlds/webhooks` : "the hub webhook URL of this Zapier app (it ends in /v1/learnworlds/webhooks; the app's publisher gives it)";
}

export function setupHelp(spec: EventSpec): string {
  const box = spec.type === '*' ? '**every event** you want' : `**${spec.learnworldsName}**`;
  return (
    `Set up once per school: in LearnWorlds open **Settings → Developers → Webhooks**, tick ${box}, choose the **New** version ` +
    `in its version dropdown, and paste ${hubWebhookUrl()} as its URL. ${testHelp(spec)}`
  );
}

export function hookTrigger(key: string) {
  const spec = specByKey(key);
  const sample = sampleFor(spec);
  const perform = makeHookPerform(spec);
  const performList = (z: ZObject, bundle: Bundle) => listRecent(z, bundle, spec);
  const performSubscribe = (z: ZObject, bundle: Bundle) => subscribeToHub(z, bundle, spec);
  const performUnsubscribe = (z: ZObject, bundle: Bundle) => unsubscribeFromHub(z, bundle);
  const trigger = defineTrigger({
    key: spec.key,
    noun: spec.noun,
    display: { label: spec.label, description: spec.description },
    operation: {
      type: 'hook',
      inputFields: [
        { key: 'setup', type: 'copy', helpText: setupHelp(spec) },
        ...spec.filters.map((kind) => ({ key: FILTER_INPUT_KEYS[kind], required: false, ...FILTER_FIELDS[kind] })),
      ],
      perform,
      performList,
      performSubscribe,
      performUnsubscribe,
      sample,
      outputFields: outputFieldsFor(sample),
    },
  });
  return { spec, trigger, perform, performList, performSubscribe, performUnsubscribe };
}

export type HookTriggerModule = ReturnType<typeof hookTrigger>;
