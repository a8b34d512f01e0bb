/**
 * The one user shape every output uses, whichever side the user came from: a webhook's
 * `data.user` (or `data.user.user`, or the flat `data` of lead and tag events) or an API record.
 * `full_name`, UTMs at `utms` with the webhook key names, every time as ISO 8601.
 */
import { convertDatesInPlace } from './dates';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The user in one shape, whichever of the vendor's shapes it came in. Reshapes `raw` in place. */
export function normaliseUser(raw: JsonObject): JsonObject {
  // subscriptionPaymentPlanBought nests the user once more: data.user.user. Inner keys win.
  const nested = raw.user;
  let user: JsonObject = raw;
  if (isJsonObject(nested)) {
    user = nested;
    for (const key in raw) if (key !== 'user' && !(key in user)) user[key] = raw[key];
  }
  // subscriptionUpdated says `utm`; every other event says `utms`.
  if (!isJsonObject(user.utms)) user.utms = isJsonObject(user.utm) ? user.utm : {};
  delete user.utm;
  if (user.created === undefined && user.created_at !== undefined) user.created = user.created_at;
  user.full_name = text(user.full_name) || [text(user.first_name), text(user.last_name)].filter(Boolean).join(' ') || text(user.username);
  convertDatesInPlace(user);
  return user;
}

/** The API names UTM keys `fc_utm_source`; webhooks name them `fc_source`. */
export function apiUserToWebhookUser(user: JsonObject): JsonObject {
  if (!isJsonObject(user.utms)) return user;
  const utms = Object.fromEntries(Object.entries(user.utms).map(([k, v]) => [k.replace(/^(fc|lc)_utm_/, '$1_'), v]));
  return { ...user, utms };
}
