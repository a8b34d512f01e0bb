import { type HubFacts, asText, encodeHubFacts } from '../contract';
import { LEARNWORLDS_EVENT_TYPES, type LearnWorldsEventType } from '../src/catalogue';
import { DATE_KEYS } from '../src/common/dates';
import { type JsonObject, type JsonValue, isJsonObject } from '../contract/json';
import { type LearnWorldsEnvelope, normaliseEvent } from '../src/webhooks/normalise';
import { HOOK_TRIGGERS, hookTrigger } from '../triggers';
import { WEBHOOK_SECRET, appTester, captureOutput, deliveryBundle, payload } from './helpers';

const byType = (type: string) => {
  const found = HOOK_TRIGGERS.find((m) => m.spec.type === type);
  if (!found) throw new Error(`no trigger for ${type}`);
  return found;
};
const anyEvent = hookTrigger('any_event');

/** Every value under a date key, anywhere outside custom fields. */
function dateValues(value: JsonValue, out: JsonValue[] = []): JsonValue[] {
  if (Array.isArray(value)) value.forEach((v) => dateValues(v, out));
  else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'fields') continue;
      if (DATE_KEYS.has(k) && v !== null) out.push(v);
      else dateValues(v, out);
    }
  }
  return out;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(LEARNWORLDS_EVENT_TYPES.map((t) => [t]))('%s', (type: LearnWorldsEventType) => {
  const trigger = byType(type);

  test('a signed vendor example gives the normalised item', async () => {
    const body = payload(type);
    const items = await appTester(trigger.perform, deliveryBundle(body));
    expect(items).toHaveLength(1);
    const item = items[0];
    expect(item.event_type).toBe(type);
    expect(item.event_trigger).toBe(body.trigger);
    expect(item.school_id).toBe(body.school_id);
    expect(item.id).toMatch(/^lw_[0-9a-f]{32}$/);
    expect(isJsonObject(item.user)).toBe(true);
    expect(typeof item.user.full_name).toBe('string');
    expect(isJsonObject(item.user.utms)).toBe(true);
    expect(item.user.email).toEqual(expect.stringContaining('@'));
    expect(item.user.user).toBeUndefined();
    expect(item.user.utm).toBeUndefined();
    for (const value of dateValues(item)) expect(value).toMatch(ISO);
    expect(item).not.toHaveProperty('querystring');
    expect(item).toMatchSnapshot();
  });

  test('the same delivery always gets the same id', async () => {
    const [a] = await appTester(trigger.perform, deliveryBundle(payload(type), { subscriptionId: 'a' }));
    const [b] = await appTester(trigger.perform, deliveryBundle(payload(type), { subscriptionId: 'b' }));
    expect(a.id).toBe(b.id);
  });

  test.each([
    ['forged', 'v1=0000000000000000000000000000000000000000000000'],
    ['missing v1= prefix', WEBHOOK_SECRET],
    ['prefixed garbage', `xx v1=${WEBHOOK_SECRET}`],
    ['right value plus trailing garbage', `v1=${WEBHOOK_SECRET}extra`],
    ['empty', ''],
  ])('a %s signature does not start the Zap', async (_name, signature) => {
    const { result, output } = await captureOutput(() => appTester(trigger.perform, deliveryBundle(payload(type), { signature })));
    expect(result).toEqual([]);
    expect(output).toContain('Learnworlds-Webhook-Signature');
    expect(output).not.toContain(WEBHOOK_SECRET);
  });

  test('a missing signature does not start the Zap', async () => {
    const { result, output } = await captureOutput(() => appTester(trigger.perform, deliveryBundle(payload(type), { signature: null })));
    expect(result).toEqual([]);
    expect(output).toContain('header is missing');
  });

  test('another event type does not start the Zap, but any_event takes it', async () => {
    const other = LEARNWORLDS_EVENT_TYPES.find((t) => t !== type)!;
    expect(await appTester(trigger.perform, deliveryBundle(payload(other)))).toEqual([]);
    const [item] = await appTester(anyEvent.perform, deliveryBundle(payload(type)));
    expect(item.event_type).toBe(type);
  });

  test('a legacy body halts with advice to switch to the new version', async () => {
    const { version: _v, ...legacy } = payload(type);
    await expect(appTester(trigger.perform, deliveryBundle(legacy))).rejects.toThrow(
      new RegExp(`Settings → Developers → Webhooks.*"${trigger.spec.learnworldsName.replace('/', '\\/')}"`),
    );
    await expect(appTester(trigger.perform, deliveryBundle(legacy))).rejects.toMatchObject({ name: 'HaltedError' });
  });
});

describe('signature header lookup', () => {
  const trigger = byType('courseCompleted');
  test.each(['Learnworlds-Webhook-Signature', 'learnworlds-webhook-signature', 'HTTP-LEARNWORLDS-WEBHOOK-SIGNATURE', 'Http-Learnworlds-Webhook-Signature'])(
    'accepts the header named %s',
    async (name) => {
      const items = await appTester(
        trigger.perform,
        deliveryBundle(payload('courseCompleted'), { signature: null, headers: { [name]: `v1=${WEBHOOK_SECRET}` } }),
      );
      expect(items).toHaveLength(1);
    },
  );

  test('tolerates a connection whose secret was pasted with v1=', async () => {
    const items = await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { authData: { webhook_secret: ` v1=${WEBHOOK_SECRET} ` } }));
    expect(items).toHaveLength(1);
  });

  test('a connection without a webhook secret accepts nothing', async () => {
    const items = await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { authData: { webhook_secret: '' }, signature: 'v1=' }));
    expect(items).toEqual([]);
  });
});

describe('malformed bodies never throw', () => {
  const trigger = byType('courseCompleted');
  test.each<[string, unknown, string]>([
    ['empty', undefined, ''],
    ['empty object', {}, '{}'],
    ['array', [1, 2], '[1,2]'],
    ['string', 'hello', '"hello"'],
    ['not JSON', undefined, '{"type": nope'],
    ['missing data', { version: 2, type: 'courseCompleted' }, '{"version":2,"type":"courseCompleted"}'],
    ['data not an object', { version: 2, type: 'courseCompleted', data: 'x' }, '{"version":2,"type":"courseCompleted","data":"x"}'],
    ['missing type', { version: 2, data: {} }, '{"version":2,"data":{}}'],
  ])('%s → [] with a log line', async (_name, body, raw) => {
    const { result, output } = await captureOutput(() => appTester(trigger.perform, deliveryBundle(body, { raw })));
    expect(result).toEqual([]);
    expect(output).toContain('delivery dropped');
  });

  test('a body without a user still gives an item with an empty user', async () => {
    const body = payload('courseCompleted');
    delete (body.data as JsonObject).user;
    const [item] = await appTester(byType('courseCompleted').perform, deliveryBundle(body));
    expect(item.user).toEqual({ full_name: '', utms: {} });
    expect(item.course).toBeDefined();
  });

  test('the raw content is used when cleanedRequest is missing', async () => {
    const body = payload('courseCompleted');
    const bundle = { ...deliveryBundle(body), cleanedRequest: undefined };
    expect(await appTester(trigger.perform, bundle)).toHaveLength(1);
  });
});

describe('filters', () => {
  test('course filter: match runs, other course does not', async () => {
    const trigger = byType('courseCompleted');
    expect(await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { inputData: { course_id: 'sample-course' } }))).toHaveLength(1);
    expect(await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { inputData: { course_id: 'other-course' } }))).toEqual([]);
  });

  test('certificate course filter reads certificate.course_id', async () => {
    const trigger = byType('awardedCertificate');
    expect(await appTester(trigger.perform, deliveryBundle(payload('awardedCertificate'), { inputData: { course_id: 'certificate-course' } }))).toHaveLength(1);
    expect(await appTester(trigger.perform, deliveryBundle(payload('awardedCertificate'), { inputData: { course_id: 'nope' } }))).toEqual([]);
  });

  test('learning program and product filters', async () => {
    expect(
      await appTester(
        byType('learningProgramCompleted').perform,
        deliveryBundle(payload('learningProgramCompleted'), { inputData: { learning_program_id: 'learning-program-sample' } }),
      ),
    ).toHaveLength(1);
    expect(
      await appTester(
        byType('learningProgramCompleted').perform,
        deliveryBundle(payload('learningProgramCompleted'), { inputData: { learning_program_id: 'x' } }),
      ),
    ).toEqual([]);
    expect(await appTester(byType('productBought').perform, deliveryBundle(payload('productBought'), { inputData: { product_id: 'webex' } }))).toHaveLength(1);
    expect(await appTester(byType('productBought').perform, deliveryBundle(payload('productBought'), { inputData: { product_id: 'other' } }))).toEqual([]);
    expect(
      await appTester(byType('subscriptionUpdated').perform, deliveryBundle(payload('subscriptionUpdated'), { inputData: { product_id: 'chrys-sub-new' } })),
    ).toHaveLength(1);
    expect(
      await appTester(
        byType('userUnenrolledFromProduct').perform,
        deliveryBundle(payload('userUnenrolledFromProduct'), { inputData: { product_id: 'bundle-new' } }),
      ),
    ).toHaveLength(1);
  });

  const withFacts = (facts: Omit<HubFacts, 'event_id' | 'received_at'>) => ({
    'Http-Learnworlds-Hub-Facts': encodeHubFacts({ event_id: '41', received_at: '2026-12-01T10:00:00.000Z', ...facts }),
  });

  test('tag filter on Tags Added: the tag was added by this change (the hub says which), not merely present', async () => {
    const trigger = byType('userTagAdded');
    const headers = withFacts({ tags_added: ['learner'], tags_removed: [], tags_change_known: true });
    const [item] = await appTester(trigger.perform, deliveryBundle(payload('userTagAdded'), { headers, inputData: { tag: ' Learner ' } }));
    expect(item).toMatchObject({ tags_added: ['learner'], tags_removed: [], tags_change_known: true, tags: ['hi', 'user', 'new', 'learner'] });
    // The user has "hi", but this change did not add it.
    expect(await appTester(trigger.perform, deliveryBundle(payload('userTagAdded'), { headers, inputData: { tag: 'hi' } }))).toEqual([]);
    // No hub facts (change unknown): no tag filter matches; an unfiltered Zap still runs, saying so.
    expect(await appTester(trigger.perform, deliveryBundle(payload('userTagAdded'), { inputData: { tag: 'learner' } }))).toEqual([]);
    const [unknown] = await appTester(trigger.perform, deliveryBundle(payload('userTagAdded')));
    expect(unknown).toMatchObject({ tags_added: [], tags_removed: [], tags_change_known: false });
  });

  test('tag filter on Tags Removed: the tag was removed by this change, although the list no longer has it', async () => {
    const trigger = byType('userTagDeleted');
    const headers = withFacts({ tags_added: [], tags_removed: ['VIP'], tags_change_known: true });
    const [item] = await appTester(trigger.perform, deliveryBundle(payload('userTagDeleted'), { headers, inputData: { tag: 'vip' } }));
    expect(item).toMatchObject({ tags_removed: ['VIP'], tags: ['hi', 'user'] });
    // "hi" is still there: its removal is not what happened.
    expect(await appTester(trigger.perform, deliveryBundle(payload('userTagDeleted'), { headers, inputData: { tag: 'hi' } }))).toEqual([]);
  });

  test('payment origin: the vendor example is an admin grant ("Added by admin"), a Stripe payment is paid', async () => {
    const bought = byType('productBought');
    const paid = payload('productBought');
    Object.assign((paid.data as JsonObject).payment as JsonObject, { gateway: 'stripe', transaction_id: 'ch_3Mz' });
    const run = (body: JsonObject, origin: string) => appTester(bought.perform, deliveryBundle(body, { inputData: { payment_origin: origin } }));
    expect((await run(payload('productBought'), 'any'))[0]).toMatchObject({ is_manual_grant: true });
    expect(await run(payload('productBought'), 'paid')).toEqual([]);
    expect(await run(payload('productBought'), 'manual_grant')).toHaveLength(1);
    expect((await run(paid, 'paid'))[0]).toMatchObject({ is_manual_grant: false });
    expect(await run(paid, 'manual_grant')).toEqual([]);
    // No gateway and no transaction at all: nothing was charged anywhere.
    const nothing = payload('productBought');
    Object.assign((nothing.data as JsonObject).payment as JsonObject, { gateway: null, transaction_id: null });
    expect((await run(nothing, 'any'))[0]).toMatchObject({ is_manual_grant: true });
    expect(
      (
        await appTester(
          byType('subscriptionPaymentPlanBought').perform,
          deliveryBundle(payload('subscriptionPaymentPlanBought'), { inputData: { payment_origin: 'paid' } }),
        )
      )[0],
    ).toMatchObject({ is_manual_grant: false });
  });

  test('only new users: the hub says whether the user registered within the hour before it received the event', async () => {
    const trigger = byType('userUpdated');
    const run = (isNew: boolean, only: unknown) =>
      appTester(trigger.perform, deliveryBundle(payload('userUpdated'), { headers: withFacts({ is_new_user: isNew }), inputData: { only_new_users: only } }));
    expect((await run(true, 'true'))[0]).toMatchObject({ is_new_user: true });
    expect(await run(false, 'true')).toEqual([]);
    expect(await run(false, true)).toEqual([]);
    expect((await run(false, 'false'))[0]).toMatchObject({ is_new_user: false });
  });

  test('Subscription Updated: Product is the plan after the change, Previous Product the plan before', async () => {
    const trigger = byType('subscriptionUpdated');
    const data = payload('subscriptionUpdated').data as JsonObject;
    const before = asText((data.plan as JsonObject).id);
    const after = asText((data.new_plan as JsonObject).id);
    const run = (inputData: Record<string, string>) => appTester(trigger.perform, deliveryBundle(payload('subscriptionUpdated'), { inputData }));
    expect(await run({ product_id: after })).toHaveLength(1);
    expect(await run({ product_id: before })).toEqual([]);
    expect(await run({ previous_product_id: before })).toHaveLength(1);
    expect(await run({ previous_product_id: after })).toEqual([]);
    expect(await run({ previous_product_id: before, product_id: after })).toHaveLength(1);
  });
});

describe('per-Zap dedupe', () => {
  const trigger = byType('courseCompleted');
  test('the same Webhook-Id runs once per Zap, and once for each of two Zaps', async () => {
    const headers = { 'Http-Webhook-Id': 'whd_1' };
    const first = await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { headers, subscriptionId: 'zap-a' }), true);
    const repeat = await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { headers, subscriptionId: 'zap-a' }));
    const otherZap = await appTester(trigger.perform, deliveryBundle(payload('courseCompleted'), { headers, subscriptionId: 'zap-b' }));
    const otherId = await appTester(
      trigger.perform,
      deliveryBundle(payload('courseCompleted'), { headers: { 'Http-Webhook-Id': 'whd_2' }, subscriptionId: 'zap-a' }),
    );
    expect([first.length, repeat.length, otherZap.length, otherId.length]).toEqual([1, 0, 1, 1]);
  });

  test('without Webhook-Id the raw body is the key', async () => {
    const body = payload('courseCompleted');
    const first = await appTester(trigger.perform, deliveryBundle(body, { subscriptionId: 'zap-c' }), true);
    const repeat = await appTester(trigger.perform, deliveryBundle(body, { subscriptionId: 'zap-c' }));
    (body.data as JsonObject).completed_at = 1637232399.1;
    const changed = await appTester(trigger.perform, deliveryBundle(body, { subscriptionId: 'zap-c' }));
    expect([first.length, repeat.length, changed.length]).toEqual([1, 0, 1]);
  });
});

describe('hostile bodies and errors never leak the secret or crash the Zap', () => {
  const trigger = byType('courseCompleted');

  test('the legacy halt carries neither the bundle nor the signature header', async () => {
    const { version: _v, ...legacy } = payload('courseCompleted');
    const error = await appTester(trigger.perform, deliveryBundle(legacy)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'HaltedError', doNotContextify: true });
    const message = (error as Error).message;
    expect(message).toMatch(/^LearnWorlds sent this event in the legacy payload format/);
    expect(message).not.toContain(WEBHOOK_SECRET);
    expect(message).not.toContain('Executing');
    expect(message).not.toContain('rawRequest');
    expect(message).not.toContain(JSON.stringify((legacy.data as JsonObject).user));
  });

  test('a date beyond what a Date can hold is kept as it came', async () => {
    const body = payload('courseCompleted');
    (body.data as JsonObject).completed_at = 9e15;
    (body.data as JsonObject).created = 1e300;
    const [item] = await appTester(trigger.perform, deliveryBundle(body));
    expect(item.completed_at).toBe(9e15);
    expect(item.created).toBe(1e300);
  });

  test('the normaliser copes with a body nested 100,000 levels deep', () => {
    const depth = 100_000;
    const raw = `{"version":2,"type":"courseCompleted","data":{"deep":${'{"a":'.repeat(depth)}{"created":1637232399}${'}'.repeat(depth)}}}`;
    const item = normaliseEvent(JSON.parse(raw) as LearnWorldsEnvelope, raw);
    let node: JsonValue | undefined = item.deep;
    for (let i = 0; i < depth && isJsonObject(node); i += 1) node = node.a;
    expect(node).toEqual({ created: '2021-11-18T10:46:39.000Z' });
  });

  // Through the whole perform: zapier-platform-core itself serialises the bundle, recursively,
  // before any perform runs, and overflows at a few thousand levels under jest, whatever the
  // app does (the hub refuses bodies nested deeper than 32 levels for that reason).
  test('a body nested 1,000 levels deep gives an item', async () => {
    const depth = 1_000;
    const raw = `{"version":2,"type":"courseCompleted","data":{"user":{"email":"a@b.co"},"deep":${'{"a":'.repeat(depth)}{"created":1637232399}${'}'.repeat(depth)}}}`;
    const bundle = {
      ...deliveryBundle({}),
      cleanedRequest: JSON.parse(raw) as JsonObject,
      rawRequest: { method: 'POST' as const, querystring: '', headers: { 'Http-Learnworlds-Webhook-Signature': `v1=${WEBHOOK_SECRET}` }, content: raw },
    };
    const items = await appTester(trigger.perform, bundle);
    expect(items).toHaveLength(1);
    let node: JsonValue | undefined = items[0].deep;
    for (let i = 0; i < depth && isJsonObject(node); i += 1) node = node.a;
    expect(node).toEqual({ created: '2021-11-18T10:46:39.000Z' });
  });

  test('an unexpected exception in the pipeline drops the delivery with a log line, never an error', async () => {
    const normalise = jest.requireActual<typeof import('../src/webhooks/normalise')>('../src/webhooks/normalise');
    const spy = jest.spyOn(normalise, 'normaliseEvent').mockImplementation(() => {
      throw new TypeError('boom');
    });
    try {
      const { result, output } = await captureOutput(() => appTester(trigger.perform, deliveryBundle(payload('courseCompleted'))));
      expect(result).toEqual([]);
      expect(output).toContain('delivery dropped, it could not be processed (TypeError: boom)');
      expect(output).not.toContain(WEBHOOK_SECRET);
    } finally {
      spy.mockRestore();
    }
  });
});
