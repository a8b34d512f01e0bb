/** The inbound planner alone (pure): one batch planned as if its items were committed one by one. */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../contract';
import { type InboundEvent, type SubjectState, planInbound, stateKey } from '../src/inbound/inbound-plan';

const tagged = (type: string, id: string, tags: string[], tenantKey = 't1'): InboundEvent => {
  const data: JsonObject = { id, tags };
  return {
    tenantKey,
    eventType: type,
    data,
    bodyHash: createHash('sha256')
      .update(JSON.stringify([type, data]))
      .digest('hex'),
  };
};

test('a batch holding add, remove, add again and a retry is planned in order', () => {
  const items = [
    tagged('userTagAdded', 'u1', ['a', 'VIP']),
    tagged('userTagDeleted', 'u1', ['a']),
    tagged('userTagAdded', 'u1', ['a', 'VIP']),
    tagged('userTagAdded', 'u1', ['a', 'VIP']),
    tagged('userTagAdded', 'u2', ['b']),
  ];
  const state = new Map<string, SubjectState>([[stateKey('t1', 'u1'), { tags: ['a'] }]]);
  const plan = planInbound(items, state, Date.now());
  const facts = plan.events.map((e) => (e.duplicate ? 'retry' : e.facts));
  expect(facts).toEqual([
    { tags_added: ['VIP'], tags_removed: [], tags_change_known: true },
    { tags_added: [], tags_removed: ['VIP'], tags_change_known: true },
    { tags_added: ['VIP'], tags_removed: [], tags_change_known: true },
    'retry',
    { tags_added: [], tags_removed: [], tags_change_known: false },
  ]);
  // The filters read the change: the third event matches "vip added", the second "vip removed".
  const tagFacts = plan.events.map((e) => (e.duplicate ? null : e.filterFacts.tag));
  expect(tagFacts).toEqual([['vip'], ['vip'], ['vip'], null, []]);
  // One write per subject, with the state the batch ends on.
  expect(plan.tags).toEqual([
    { tenantKey: 't1', userId: 'u1', tags: ['a', 'VIP'] },
    { tenantKey: 't1', userId: 'u2', tags: ['b'] },
  ]);
  expect(plan.lastHashes.map((l) => [l.subject, l.bodyHash])).toEqual([
    ['u1', items[2].bodyHash],
    ['u2', items[4].bodyHash],
  ]);
});

test('tags compare trimmed and case-insensitively, spelled as LearnWorlds sent them; schools are apart', () => {
  const state = new Map<string, SubjectState>([[stateKey('t1', 'u1'), { tags: ['Gold ', 'vip'] }]]);
  const plan = planInbound([tagged('userTagAdded', 'u1', ['gold', 'VIP', ' New ']), tagged('userTagAdded', 'u1', ['x'], 't2')], state, Date.now());
  expect(plan.events.map((e) => (e.duplicate ? 'retry' : [e.facts.tags_added, e.facts.tags_removed, e.facts.tags_change_known]))).toEqual([
    [['New'], [], true],
    [[], [], false],
  ]);
});

test("a repeat is a retry only while it is still the subject's last event; an unchanged tag list is not written again", () => {
  const course = (n: number): InboundEvent => ({
    tenantKey: 't1',
    eventType: 'courseCompleted',
    data: { user: { id: 'u1', tags: ['a'] }, n },
    bodyHash: `h${n}`,
  });
  const state = new Map<string, SubjectState>([[stateKey('t1', 'u1'), { lastHash: 'h1', tags: ['a'] }]]);
  const plan = planInbound([course(1), course(2), course(1)], state, Date.now());
  expect(plan.events.map((e) => e.duplicate)).toEqual([true, false, false]);
  expect(plan.tags).toEqual([]);
});

test('a user is new when registered at most an hour before the hub received the event', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const user = (created: number): InboundEvent => ({
    tenantKey: 't1',
    eventType: 'userUpdated',
    data: { user: { id: `u${created}`, created } },
    bodyHash: `h${created}`,
  });
  const plan = planInbound([user(now / 1000 - 3600), user(now / 1000 - 3601), user(now / 1000 + 5)], new Map(), now);
  expect(plan.events.map((e) => (e.duplicate ? null : e.facts.is_new_user))).toEqual([true, false, true]);
});
