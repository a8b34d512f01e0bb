/**
 * Zapier's publishing rules, checked here because local schema validation misses them
 * (a missing sample, a forgotten type: 'hook') and the remote checks only run at push time.
 */
import * as zapier from 'zapier-platform-core';
import App from '../index';
import { EVENT_CATALOGUE, LEARNWORLDS_EVENT_TYPES } from '../src/catalogue';
import { flattenKeys } from '../src/common/output-fields';
import { HOOK_TRIGGERS, hookTrigger } from '../triggers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TriggerSchema = require('zapier-platform-schema/lib/schemas/TriggerSchema.js') as { validate: (t: unknown) => { errors: unknown[] } };
type Handler = (event: { command: string }) => Promise<{ results: unknown }>;
const createAppHandler = (zapier as unknown as { createAppHandler: (app: unknown) => Handler }).createAppHandler;

const SMALL_WORDS = new Set(['a', 'an', 'and', 'or', 'to', 'from', 'of', 'in', 'on', 'for', 'the']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every key of the sample is a labelled output field of the right type; dates are ISO 8601. */
function expectSampleMatchesOutputFields(sample: Record<string, unknown>, outputFields: Array<{ key: string; label?: string; type?: string }>): void {
  const fields = new Map(outputFields.map((f) => [f.key, f]));
  for (const [key, value] of flattenKeys(sample as never)) {
    const field = fields.get(key);
    expect({ key, label: field?.label }).toEqual({ key, label: expect.stringMatching(/^[A-Z0-9]/) });
    if (typeof value === 'number') expect({ key, type: field?.type }).toEqual({ key, type: 'number' });
    if (typeof value === 'boolean') expect({ key, type: field?.type }).toEqual({ key, type: 'boolean' });
    if (field?.type === 'datetime') expect({ key, value }).toEqual({ key, value: expect.stringMatching(ISO) });
  }
}

describe.each(HOOK_TRIGGERS.map((m) => [m.spec.key, m] as const))('%s', (_key, module) => {
  const { trigger, spec } = module;
  const op = trigger.operation as unknown as Record<string, unknown> & {
    sample: Record<string, unknown>;
    outputFields: Array<{ key: string; label?: string; type?: string }>;
  };

  test('is an instant REST hook with every operation', () => {
    expect(op.type).toBe('hook');
    for (const name of ['perform', 'performList', 'performSubscribe', 'performUnsubscribe']) expect(typeof op[name]).toBe('function');
  });

  test('label is Title Case and 2–64 characters', () => {
    const label = trigger.display.label ?? '';
    const words = label.split(' ');
    words.forEach((word, i) => {
      if (i > 0 && SMALL_WORDS.has(word)) return;
      expect(word[0]).toBe(word[0].toUpperCase());
    });
    expect(label.length).toBeGreaterThanOrEqual(2);
    expect(label.length).toBeLessThanOrEqual(64);
  });

  test('description starts "Triggers when ", ends with ".", does not name the app', () => {
    expect(trigger.display.description).toMatch(/^Triggers when [a-z].*\.$/);
    expect(trigger.display.description).not.toMatch(/LearnWorlds/i);
  });

  test('noun is a singular word', () => {
    expect(trigger.noun).toMatch(/^[A-Z][a-z]+$/);
    expect(trigger.noun.endsWith('s')).toBe(false);
  });

  test('key is descriptive and valid', () => {
    expect(trigger.key).toMatch(/^[a-zA-Z][a-zA-Z0-9_]+$/);
    expect(trigger.key).not.toMatch(/_\d+$/);
  });

  test('has a sample whose every key is a labelled output field of the right type', () => {
    expect(op.sample).toBeDefined();
    expect(op.sample.id).toEqual(expect.any(String));
    expectSampleMatchesOutputFields(op.sample, op.outputFields);
  });

  test('sample promises no school-specific custom field', () => {
    expect(
      flattenKeys(op.sample as never)
        .map(([k]) => k)
        .filter((k) => k.includes('cf_')),
    ).toEqual([]);
  });

  test('help tells the admin which box to tick and to choose the new version', () => {
    const setup = (op.inputFields as Array<{ key: string; type?: string; helpText?: string }>).find((f) => f.type === 'copy');
    expect(setup?.helpText).toContain('Settings → Developers → Webhooks');
    expect(setup?.helpText).toContain('**New** version');
    if (spec.type !== '*') expect(setup?.helpText).toContain(spec.learnworldsName);
  });

  test("passes Zapier's trigger schema (which does check the sample)", () => {
    const serialised = JSON.parse(JSON.stringify(trigger, (_k, v: unknown) => (typeof v === 'function' ? '$func$2$f$' : v)));
    expect(TriggerSchema.validate(serialised).errors).toEqual([]);
  });
});

test('the catalogue covers all 17 LearnWorlds events plus any_event, with unique keys and labels', () => {
  expect(new Set(EVENT_CATALOGUE.map((s) => s.type))).toEqual(new Set([...LEARNWORLDS_EVENT_TYPES, '*']));
  expect(new Set(EVENT_CATALOGUE.map((s) => s.key)).size).toBe(EVENT_CATALOGUE.length);
  expect(new Set(EVENT_CATALOGUE.map((s) => s.label)).size).toBe(EVENT_CATALOGUE.length);
  expect(Object.keys(App.triggers ?? {})).toEqual(expect.arrayContaining(EVENT_CATALOGUE.map((s) => s.key)));
});

test('the trigger keys are the public contract', () => {
  expect(Object.fromEntries(EVENT_CATALOGUE.map((s) => [s.type, s.key]))).toEqual({
    userUpdated: 'user_updated',
    productBought: 'product_bought',
    enrolledFreeCourse: 'free_course_enrollment',
    leadCreated: 'lead_captured',
    awardedCertificate: 'certificate_awarded',
    courseCompleted: 'course_completed',
    learningProgramCompleted: 'learning_program_completed',
    subscriptionPaymentPlanBought: 'subscription_payment_paid',
    subscriptionPaymentPlanCanceled: 'subscription_canceled',
    subscriptionTrialStarted: 'subscription_trial_started',
    subscriptionTrialWillEnd: 'subscription_trial_ending',
    previewedFree: 'free_section_previewed',
    subscriptionUpdated: 'subscription_updated',
    userUnenrolledFromProduct: 'user_unenrolled',
    userTagAdded: 'user_tags_added',
    userTagDeleted: 'user_tags_removed',
    paymentCreated: 'payment_created',
    '*': 'any_event',
  });
});

test('the whole app passes zapier-platform-schema validation', async () => {
  const { results } = await createAppHandler(App)({ command: 'validate' });
  expect(results).toEqual([]);
});

test('dropdown triggers are hidden', () => {
  const triggers: Record<string, { display: { hidden?: boolean } }> = App.triggers ?? {};
  for (const key of ['course_list', 'learning_program_list', 'product_list', 'product_of_type_list']) {
    expect(triggers[key]?.display.hidden).toBe(true);
  }
});

// --- Actions and searches ---------------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-require-imports
const CreateSchema = require('zapier-platform-schema/lib/schemas/CreateSchema.js') as { validate: (t: unknown) => { errors: unknown[] } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SearchSchema = require('zapier-platform-schema/lib/schemas/SearchSchema.js') as { validate: (t: unknown) => { errors: unknown[] } };

interface ActionShape {
  key: string;
  noun: string;
  display: { label?: string; description?: string; hidden?: boolean };
  operation: { sample?: unknown; outputFields?: unknown; inputFields?: unknown };
}
const ACTIONS: Array<[string, 'create' | 'search', ActionShape]> = [
  ...Object.values(App.creates ?? {}).map((a): [string, 'create', ActionShape] => [a.key, 'create', a]),
  ...Object.values(App.searches ?? {}).map((a): [string, 'search', ActionShape] => [a.key, 'search', a]),
];

test('the action keys, labels and input keys are the public contract', () => {
  const contract = Object.fromEntries(
    ACTIONS.map(([key, , action]) => [
      key,
      { label: action.display.label ?? '', inputs: (action.operation.inputFields as Array<{ key: string }>).map((f) => f.key) },
    ]),
  );
  expect(contract).toEqual({
    create_user: {
      label: 'Create User',
      inputs: ['email', 'username', 'password', 'send_registration_email', 'subscribed_for_marketing_emails', 'tags', 'fields'],
    },
    update_user: { label: 'Update User', inputs: ['user', 'email', 'username', 'subscribed_for_marketing_emails', 'fields'] },
    enroll_user: {
      label: 'Enroll User in Product',
      inputs: ['email', 'username', 'product_type', 'product_id', 'price', 'justification', 'send_enrollment_email', 'duration_type', 'duration'],
    },
    unenroll_user: { label: 'Unenroll User From Product', inputs: ['user', 'product_type', 'product_id'] },
    add_user_tags: { label: 'Add Tags to User', inputs: ['user', 'tags'] },
    remove_user_tags: { label: 'Remove Tags From User', inputs: ['user', 'tags'] },
    suspend_user: { label: 'Suspend User', inputs: ['user'] },
    unsuspend_user: { label: 'Unsuspend User', inputs: ['user'] },
    find_user: { label: 'Find User', inputs: ['user'] },
    find_course_progress: { label: 'Find Course Progress', inputs: ['user', 'course_id'] },
  });
  expect(App.searchOrCreates?.find_user).toMatchObject({ search: 'find_user', create: 'create_user' });
});

describe.each(ACTIONS)('%s (%s)', (_key, kind, action) => {
  const op = action.operation as {
    sample: Record<string, unknown>;
    outputFields: Array<{ key: string; label?: string; type?: string }>;
    inputFields: Array<Record<string, unknown>>;
  };

  test('label is Title Case; description is "Verbs …." without the app name; noun is singular', () => {
    (action.display.label ?? '').split(' ').forEach((word, i) => {
      if (i > 0 && SMALL_WORDS.has(word)) return;
      expect(word[0]).toBe(word[0].toUpperCase());
    });
    expect(action.display.description).toMatch(/^[A-Z][a-z]+s [a-z].*\.$/);
    expect(action.display.description).not.toMatch(/LearnWorlds/);
    expect(action.noun).toMatch(/^[A-Z][a-z]+$/);
    expect(action.noun).not.toMatch(/[^s]s$/); // "Progress" is singular; "Users" is not
  });

  test('every input field has a label and a help text that ends with a period', () => {
    for (const field of op.inputFields) {
      expect({ key: field.key, label: field.label }).toEqual({ key: field.key, label: expect.stringMatching(/^[A-Z]/) });
      expect({ key: field.key, helpText: field.helpText }).toEqual({ key: field.key, helpText: expect.stringMatching(/\.$/) });
    }
  });

  test('has a sample whose every key is a labelled output field of the right type, with ISO dates and no custom field', () => {
    expect(op.sample).toBeDefined();
    if (kind === 'search') expect(op.sample.id).toEqual(expect.any(String));
    expectSampleMatchesOutputFields(op.sample, op.outputFields);
    expect(
      flattenKeys(op.sample as never)
        .map(([k]) => k)
        .filter((k) => k.includes('cf_')),
    ).toEqual([]);
  });

  test(`passes Zapier's ${kind} schema (which checks the sample)`, () => {
    const serialised = JSON.parse(JSON.stringify(action, (_k, v: unknown) => (typeof v === 'function' ? '$func$2$f$' : v)));
    expect((kind === 'create' ? CreateSchema : SearchSchema).validate(serialised).errors).toEqual([]);
  });
});

describe('the fields that tell what happened', () => {
  const triggerOf = (key: string) => hookTrigger(key).trigger.operation;
  const label = (key: string, field: string) => (triggerOf(key).outputFields as Array<{ key: string; label: string }>).find((f) => f.key === field)?.label;
  const inputs = (key: string) => (triggerOf(key).inputFields as Array<{ key: string; type?: string; default?: string }>).filter((f) => f.type !== 'copy');

  test('tag changes, plans before and after, grants and new users are labelled output fields', () => {
    expect(label('user_tags_removed', 'tags')).toBe('Tags After the Change');
    expect(label('user_tags_added', 'tags_added')).toBe('Tags Added');
    expect(label('user_tags_removed', 'tags_removed')).toBe('Tags Removed');
    expect(label('user_tags_added', 'tags_change_known')).toBe('Tags Change Known');
    expect(label('subscription_updated', 'plan__id')).toBe('Previous Plan ID');
    expect(label('subscription_updated', 'new_plan__name')).toBe('New Plan Name');
    for (const key of ['product_bought', 'payment_created', 'subscription_payment_paid']) expect(label(key, 'is_manual_grant')).toBe('Is Manual Grant');
    expect(label('user_updated', 'is_new_user')).toBe('Is New User');
  });

  test('the new filters are offered where they mean something', () => {
    expect(inputs('subscription_updated').map((f) => f.key)).toEqual(['product_id', 'previous_product_id']);
    for (const key of ['product_bought', 'payment_created', 'subscription_payment_paid']) {
      expect(inputs(key).find((f) => f.key === 'payment_origin')).toMatchObject({
        default: 'any',
        choices: [{ value: 'any' }, { value: 'paid' }, { value: 'manual_grant' }],
      });
    }
    expect(inputs('user_updated')).toEqual([expect.objectContaining({ key: 'only_new_users', type: 'boolean', default: 'false' })]);
    // Each trigger that LearnWorlds fires in surprising cases says so in its own words.
    const notes = (key: string) =>
      (triggerOf(key).inputFields as Array<{ key: string; helpText?: string }>).find((f) => f.key === 'what_fires')?.helpText ?? '';
    expect(notes('product_bought')).toContain('**New Payment**');
    expect(notes('subscription_canceled')).toContain('not when the user clicks cancel');
    expect(notes('subscription_trial_started')).toContain('only this trigger');
    expect(notes('user_updated')).toContain('an admin makes');
  });
});
