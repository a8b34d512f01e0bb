/**
 * What Suspend User and Unsuspend User share: PUT /v2/users/{user}/suspend or /unsuspend, made
 * idempotent. A user already in the wanted state is a success with `already: true` and no change.
 * API calls: 1 when already (the lookup, which tells `is_suspended`), 2 otherwise (lookup, change).
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import type { JsonObject } from '../../contract/json';
import { callApi } from '../api/client';
import { outputUser, requireUser, userRef } from '../api/users';
import { USER_SAMPLE } from './samples';

export async function setSuspended(z: ZObject, bundle: Bundle, suspend: boolean): Promise<JsonObject> {
  const ref = userRef(z, bundle.inputData.user);
  const user = await requireUser(z, bundle, ref);
  const already = user.is_suspended === suspend;
  if (!already) await callApi(z, bundle, { method: 'PUT', path: ['users', ref, suspend ? 'suspend' : 'unsuspend'] });
  return { ...outputUser({ ...user, is_suspended: suspend }), already };
}

/** The output of either action: the user after the change, and whether nothing had to change. */
export function suspensionSample(suspend: boolean): JsonObject {
  return { ...USER_SAMPLE, is_suspended: suspend, already: false };
}
