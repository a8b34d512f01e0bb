/**
 * Zapier-side limits shared by every action and search, so LearnWorlds' own limit is never the
 * one that trips.
 *
 * LearnWorlds allows 30 API requests per 10 seconds per school. The costliest path of any action
 * makes 4 calls (Enroll User in Product for a buyer who has no account yet: look the user up,
 * create them, enroll them, read the product's title), so 30 / 4 → 7 action runs per 10 seconds
 * per connection keeps every mix of actions within the limit. One shared configuration (same window, limit and scope, no
 * 'action' in the scope) makes all actions draw on one budget per connection ('auth').
 */
export const WORST_CASE_CALLS_PER_ACTION = 4;
export const LEARNWORLDS_REQUESTS_PER_10_SECONDS = 30;

export const API_THROTTLE = {
  window: 10,
  limit: Math.floor(LEARNWORLDS_REQUESTS_PER_10_SECONDS / WORST_CASE_CALLS_PER_ACTION),
  scope: ['auth' as const],
};

/**
 * Find-or-create on the same buyer must not run twice at once (two Zaps for one sale would
 * create the user twice): one lock per email, per connection, shared by the actions that
 * create users.
 */
export const USER_BY_EMAIL_LOCK = { key: '{{bundle.inputData.email}}', scope: ['auth' as const] };
