/** Suspend User: the user can no longer log in (src/actions/suspension.ts). */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { setSuspended, suspensionSample } from '../src/actions/suspension';

const SAMPLE = suspensionSample(true);

export default defineCreate({
  key: 'suspend_user',
  noun: 'User',
  display: {
    label: 'Suspend User',
    description: 'Suspends a user, who can then no longer log in; a user already suspended is left as is.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField],
    perform: (z: ZObject, bundle: Bundle) => setSuspended(z, bundle, true),
    sample: SAMPLE,
    outputFields: outputFieldsFor(SAMPLE),
  },
});
