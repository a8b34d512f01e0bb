/** Both sides of the subscribe/unsubscribe contract, tested against each other. */
import { API_KEY, BACKENDS, WEBHOOK_SECRET, count, runCleanups, testHub } from '../hub/test/helpers';
import { appTester, forgetHub, hookTrigger, useHub } from './harness';

const trigger = hookTrigger;
const authData = { school_url: 'https://myschool.learnworlds.com/admin/api/v2', client_id: 'c', client_secret: 's', webhook_secret: `v1=${WEBHOOK_SECRET}` };

afterEach(async () => {
  forgetHub();
  await runCleanups();
});

describe.each(BACKENDS)('integration ↔ hub on %s', (backend) => {
  test('performSubscribe registers the Zap; performUnsubscribe removes it; a second unsubscribe is not an error', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    const targetUrl = 'https://hooks.zapier.com/hooks/standard/123/abc/';
    const subscribed = await appTester(trigger('course_completed').performSubscribe, { authData, targetUrl, inputData: { course_id: 'sample-course' } });
    expect(subscribed).toMatchObject({ id: expect.any(String), event: 'courseCompleted', target_url: targetUrl });
    const { rows } = await hub.db.query<{ event: string; filters: Record<string, string>; school_url: string }>(
      'SELECT s.event, s.filters, t.school_url FROM subscriptions s JOIN tenants t USING (tenant_key)',
    );
    expect(rows).toEqual([{ event: 'courseCompleted', filters: { course_id: 'sample-course' }, school_url: 'https://myschool.learnworlds.com' }]);

    const anyEvent = await appTester(trigger('any_event').performSubscribe, { authData, targetUrl: 'https://hooks.zapier.com/hooks/standard/123/def/' });
    expect(anyEvent).toMatchObject({ event: '*' });
    expect(await count(hub, 'subscriptions')).toBe(2);

    const subscribeData = { id: String((subscribed as { id: string }).id) };
    expect(await appTester(trigger('course_completed').performUnsubscribe, { authData, subscribeData })).toEqual({ id: subscribeData.id, removed: true });
    expect(await appTester(trigger('course_completed').performUnsubscribe, { authData, subscribeData })).toEqual({ id: subscribeData.id, removed: false });
    expect(await count(hub, 'subscriptions')).toBe(1);
  });

  test('a hub refusal reaches the Zap editor as a clear error', async () => {
    const { hub } = await testHub(backend);
    useHub(hub.url, API_KEY);
    await expect(appTester(trigger('course_completed').performSubscribe, { authData, targetUrl: 'https://evil.example.com/x' })).rejects.toThrow(
      /did not register this Zap: target_url must be on an allowed origin/,
    );
    useHub(hub.url, 'wrong-key-00000000000');
    await expect(appTester(trigger('course_completed').performSubscribe, { authData, targetUrl: 'https://hooks.zapier.com/x' })).rejects.toThrow(
      /rejected HUB_API_KEY/,
    );
  });
});
