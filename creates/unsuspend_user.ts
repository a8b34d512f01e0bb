/** Unsuspend User: the user can log in again (src/actions/suspension.ts). */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { setSuspended, suspensionSample } from '../src/actions/suspension';

const SAMPLE = suspensionSample(false);

export default defineCreate({
  key: 'unsuspend_user',
  noun: 'User',
  display: {
    label: 'Unsuspend User',
    description: 'Unsuspends a user, who can then log in again; a user who is not suspended is left as is.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField],
    perform: (z: ZObject, bundle: Bundle) => setSuspended(z, bundle, false),
    sample: SAMPLE,
    outputFields: outputFieldsFor(SAMPLE),
  },
});
