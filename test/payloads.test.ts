import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { epochToIso, toIsoDate } from '../src/common/dates';
import { normaliseUser } from '../src/common/user';
import { normaliseEvent } from '../src/webhooks/normalise';
import { VENDOR_PAYLOADS } from '../contract/payloads';

const SHARED = join(__dirname, '..', '..', 'shared', 'reference', 'learnworlds', 'payloads-v2');
const haveShared = existsSync(SHARED);

(haveShared ? test : test.skip)('the bundled examples are the vendor examples, unchanged', () => {
  const files = readdirSync(SHARED).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(16);
  for (const file of files) {
    const type = file.replace('.json', '') as keyof typeof VENDOR_PAYLOADS;
    expect(VENDOR_PAYLOADS[type]).toEqual(JSON.parse(readFileSync(join(SHARED, file), 'utf8')));
  }
});

(haveShared ? test : test.skip)('the completed paymentCreated example keeps every value of the partial vendor text', () => {
  const partial = readFileSync(join(SHARED, 'paymentCreated.partial.txt'), 'utf8');
  const payment = (VENDOR_PAYLOADS.paymentCreated.data as { payment: Record<string, unknown> }).payment;
  for (const match of partial.matchAll(/^\s{6}"(\w+)"\s*:\s*("[^"]*"|[\d.]+|null|\[\])/gm)) {
    expect({ [match[1]]: payment[match[1]] }).toEqual({ [match[1]]: JSON.parse(match[2]) });
  }
  expect(VENDOR_PAYLOADS.paymentCreated.type).toBe('paymentCreated');
  expect(VENDOR_PAYLOADS.paymentCreated.trigger).toBe('new_purchase');
});

describe('dates', () => {
  test.each([
    [1637235626.53355, '2021-11-18T11:40:26.533Z'],
    [1638190255, '2021-11-29T12:50:55.000Z'],
    [1753261360, '2025-07-23T09:02:40.000Z'],
    [1637235626534, '2021-11-18T11:40:26.534Z'],
  ])('epoch %p → %s', (epoch, iso) => expect(epochToIso(epoch)).toBe(iso));

  test('ISO strings with an offset become UTC', () => {
    expect(toIsoDate('2021-12-02T12:11:45+02:00')).toBe('2021-12-02T10:11:45.000Z');
  });

  test.each([null, '', 'Nov 29, 2021 - Dec 29, 2021', '2021-06-25', false])('leaves %p alone', (value) => {
    expect(toIsoDate(value)).toBe(value);
  });
});

describe('user shapes', () => {
  test('data.user.user is flattened and outer keys are kept', () => {
    expect(normaliseUser({ user: { id: 'u', first_name: 'A', last_name: 'B' }, billing_info: { bf_city: 'X' } })).toEqual({
      id: 'u',
      first_name: 'A',
      last_name: 'B',
      full_name: 'A B',
      billing_info: { bf_city: 'X' },
      utms: {},
    });
  });

  test('utm becomes utms, created_at also gives created, custom fields stay untouched', () => {
    const user = normaliseUser({ utm: { fc_source: 'x' }, created_at: '2021-12-02T11:24:32+02:00', fields: { cf_started: '2021-06-25', created: 5 } });
    expect(user).toMatchObject({ utms: { fc_source: 'x' }, created: '2021-12-02T09:24:32.000Z', fields: { cf_started: '2021-06-25', created: 5 } });
    expect(user).not.toHaveProperty('utm');
  });

  test('full_name falls back to the username', () => {
    expect(normaliseUser({ first_name: '', last_name: null, username: 'jo' }).full_name).toBe('jo');
  });

  test('custom fields stay mappable on live items', () => {
    const item = normaliseEvent({ type: 'userUpdated', version: 2, data: structuredClone(VENDOR_PAYLOADS.userUpdated.data) as never });
    expect(item.user.fields).toMatchObject({ cf_skill: 'Excel', cf_startedtest: '2021-06-25' });
  });
});
