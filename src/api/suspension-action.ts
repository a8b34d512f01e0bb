/**
 * Suspend User / Unsuspend User: PUT /v2/users/{user}/suspend or /unsuspend. Idempotent: a user
 * already in the wanted state is a success with `already: true` and no change. API calls: 1 when
 * already (the lookup, which tells `is_suspended`), 2 otherwise (lookup, change).
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import type { JsonObject } from '../../contract/json';
import { outputFieldsFor } from '../common/output-fields';
import { userField } from './action-fields';
import { API_THROTTLE } from './action-limits';
import { USER_SAMPLE } from './action-samples';
import { callApi } from './client';
import { outputUser, requireUser, userRef } from './users';

export function suspensionPerform(suspend: boolean) {
  return async (z: ZObject, bundle: Bundle): Promise<JsonObject> => {
    const ref = userRef(z, bundle.inputData.user);
    const user = await requireUser(z, bundle, ref);
    const already = user.is_suspended === suspend;
    if (!already) await callApi(z, bundle, { method: 'PUT', path: ['users', ref, suspend ? 'suspend' : 'unsuspend'] });
    return { ...outputUser({ ...user, is_suspended: suspend }), already };
  };
}

export function suspensionAction(suspend: boolean) {
  const sample = { ...USER_SAMPLE, is_suspended: suspend, already: false };
  return defineCreate({
    key: suspend ? 'suspend_user' : 'unsuspend_user',
    noun: 'User',
    display: {
      label: suspend ? 'Suspend User' : 'Unsuspend User',
      description: suspend
        ? 'Suspends a user, who can then no longer log in; a user already suspended is left as is.'
        : 'Unsuspends a user, who can then log in again; a user who is not suspended is left as is.',
    },
    operation: {
      throttle: API_THROTTLE,
      inputFields: [userField],
      perform: suspensionPerform(suspend),
      sample,
      outputFields: outputFieldsFor(sample),
    },
  });
}
