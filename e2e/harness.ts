/**
 * The one harness for everything that crosses the Zapier app and the hub (the e2e tests and
 * `npm run demo`): the app as Zapier runs it, a stand-in for the school's API, a stand-in for
 * Zapier's hook endpoint whose requests become hook bundles, and `node hub` as a process. The
 * hub's own tests (hub/test) use the same stand-ins and import nothing of the app.
 */
import nock from 'nock';
import { createAppTester } from 'zapier-platform-core';
import App from '../index';
import type { ReceivedRequest } from '../hub/test/receiver';

export { hookTrigger } from '../triggers';
export { atCleanup, runCleanups } from '../hub/test/cleanups';
export { HubProcess } from '../hub/test/hub-process';
export { type ReceivedRequest, Receiver, jsonBodyOf } from '../hub/test/receiver';
export { waitFor } from '../hub/test/wait';

/** The registered app, run as Zapier runs it. */
export const appTester = createAppTester(App);

/** Points the app (HUB_URL, HUB_API_KEY) at a hub. */
export function useHub(url: string, key: string): void {
  process.env.HUB_URL = url;
  process.env.HUB_API_KEY = key;
}

/** Undoes useHub. */
export function forgetHub(): void {
  delete process.env.HUB_URL;
  delete process.env.HUB_API_KEY;
}

/**
 * The school's API for the connection test and the trigger tests' fallbacks: each list in
 * `lists` answers empty, as long as the test runs (nock.cleanAll() ends it).
 */
export function schoolApi(origin: string, lists: readonly string[] = ['users']): void {
  for (const list of lists)
    nock(origin)
      .persist()
      .get(`/admin/api/v2/${list}`)
      .query(true)
      .reply(200, { data: [], meta: { page: 1, totalPages: 1 } });
}

/** A request the hub forwarded, as Zapier hands it to a hook perform: `Http-` headers, the raw and the parsed body. */
export function zapierHook(request: ReceivedRequest): {
  cleanedRequest: unknown;
  rawRequest: { method: 'POST'; querystring: string; headers: Record<string, string>; content: string };
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const camel = name
      .split('-')
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('-');
    headers[/^content-(type|length)$/i.test(name) ? camel : `Http-${camel}`] = String(value);
  }
  const content = request.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = {}; // not JSON: the perform says so from the raw body
  }
  return {
    cleanedRequest: typeof parsed === 'object' && parsed !== null ? { ...parsed, querystring: {} } : parsed,
    rawRequest: { method: 'POST', querystring: '', headers, content },
  };
}
