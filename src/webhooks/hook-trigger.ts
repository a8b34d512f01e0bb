/**
 * Builds a REST-hook trigger from its event catalogue entry: the shared perform wrapper, the
 * hub subscription, performList, filters, sample and labelled output fields.
 */
import { type Bundle, type ZObject, defineTrigger } from 'zapier-platform-core';
import { EVENT_NOTES, type EventSpec, type FilterKind, specByKey } from '../catalogue';
import { FILTER_INPUT_KEYS } from './filters';
import { subscribeToHub, unsubscribeFromHub } from './hub-client';
import { makeHookPerform } from './hook-perform';
import { listRecent } from './list-recent';
import { outputFieldsFor } from '../common/output-fields';
import { sampleFor } from './samples';

type FilterField = {
  label: string;
  helpText: string;
  dynamic?: string;
  type?: 'boolean';
  default?: string;
  choices?: Array<{ value: string; label: string; sample: string }>;
};

const UNKNOWN_CHANGE =
  'The first time the hub sees a user (for example just after it was set up) it cannot know what changed: **Tags Change Known** is false, both lists are empty, and a Zap with a tag chosen does not run';

/** The Zap editor field of each filter kind, worded for the trigger's event. */
function filterField(kind: FilterKind, spec: EventSpec): FilterField {
  switch (kind) {
    case 'course':
      return { label: 'Course', dynamic: 'course_list.id.title', helpText: 'Only run for this course. Leave empty to run for every course.' };
    case 'learning_program':
      return {
        label: 'Learning Program',
        dynamic: 'learning_program_list.id.title',
        helpText: 'Only run for this learning program. Leave empty to run for every learning program.',
      };
    case 'product':
      return spec.type === 'subscriptionUpdated'
        ? {
            label: 'Product',
            dynamic: 'product_list.id.title',
            helpText: 'Only run when the subscription plan after the change is this one. Leave empty for every plan.',
          }
        : {
            label: 'Product',
            dynamic: 'product_list.id.title',
            helpText: 'Only run for this course, bundle or subscription plan. Leave empty to run for every product.',
          };
    case 'previous_product':
      return {
        label: 'Previous Product',
        dynamic: 'product_list.id.title',
        helpText: 'Only run when the subscription plan before the change was this one. Leave empty for every plan.',
      };
    case 'tag':
      return spec.type === 'userTagDeleted'
        ? {
            label: 'Tag',
            helpText: `Only run when this tag was removed by this change (compared without case). ${UNKNOWN_CHANGE}, because LearnWorlds sends only the tags that remain, so the removed tag cannot be known. Leave empty to run on every removal.`,
          }
        : {
            label: 'Tag',
            helpText: `Only run when this tag was added by this change (compared without case), not when the user merely has it. ${UNKNOWN_CHANGE}, because it cannot tell a tag just added from one the user had all along (a welcome sent twice is worse than a first one missed after set-up). Leave empty to run on every addition.`,
          };
    case 'payment_origin':
      return {
        label: 'Payment Origin',
        default: 'any',
        choices: [
          { value: 'any', label: 'Any', sample: 'any' },
          { value: 'paid', label: 'Paid purchases only', sample: 'paid' },
          { value: 'manual_grant', label: 'Manual grants by an admin only', sample: 'manual_grant' },
        ],
        helpText:
          'LearnWorlds sends this event also when an admin adds someone to a product without payment (its transaction says "Added by admin", or it names no payment gateway and no transaction). Choose **Paid purchases only** for revenue or new-customer Zaps.',
      };
    case 'new_users':
      return {
        label: 'Only New Users',
        type: 'boolean',
        default: 'false',
        helpText: 'Yes: only run for users who registered at most an hour before the event (a registration), not for later profile edits or admin changes.',
      };
  }
}

/** What a trigger test shows when the hub has no real event of this kind yet. */
const FALLBACK_HELP: Record<EventSpec['list'], string> = {
  users: "a few of your school's users from the LearnWorlds API (its first page, in the API's own order: not necessarily the newest), shaped like the event",
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
        ...(EVENT_NOTES[spec.type] ? [{ key: 'what_fires', type: 'copy' as const, helpText: EVENT_NOTES[spec.type] }] : []),
        ...spec.filters.map((kind) => ({ key: FILTER_INPUT_KEYS[kind], required: false, ...filterField(kind, spec) })),
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
