/**
 * The Zapier app: LearnWorlds webhooks as instant triggers, and actions and searches on the
 * LearnWorlds API, behind one authentication.
 */
import { defineApp, version as platformVersion } from 'zapier-platform-core';
import packageJson from './package.json';
import { addLearnWorldsHeaders, mapLearnWorldsErrors } from './src/api/middleware';
import { authentication } from './src/api/authentication';
import { DROPDOWN_TRIGGERS } from './src/api/dropdowns';
import { CREATES } from './creates';
import { SEARCHES, SEARCH_OR_CREATES } from './searches';
import { HOOK_TRIGGERS } from './triggers';

const hookTriggers = Object.fromEntries(HOOK_TRIGGERS.map(({ trigger }) => [trigger.key, trigger]));

export default defineApp({
  version: packageJson.version,
  platformVersion,
  authentication,
  beforeRequest: [addLearnWorldsHeaders],
  afterResponse: [mapLearnWorldsErrors],
  flags: { throwForThrottlingEarly: false, skipHttpPatch: true },
  triggers: { ...hookTriggers, ...DROPDOWN_TRIGGERS },
  creates: CREATES,
  searches: SEARCHES,
  searchOrCreates: SEARCH_OR_CREATES,
});
