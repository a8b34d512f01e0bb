/** The LearnWorlds webhook event names: what the app's triggers listen to and the hub accepts. */
export const LEARNWORLDS_EVENT_TYPES = [
  'userUpdated',
  'productBought',
  'enrolledFreeCourse',
  'leadCreated',
  'awardedCertificate',
  'courseCompleted',
  'learningProgramCompleted',
  'subscriptionPaymentPlanBought',
  'subscriptionPaymentPlanCanceled',
  'subscriptionTrialStarted',
  'subscriptionTrialWillEnd',
  'previewedFree',
  'subscriptionUpdated',
  'userUnenrolledFromProduct',
  'userTagAdded',
  'userTagDeleted',
  'paymentCreated',
] as const;

export type LearnWorldsEventType = (typeof LEARNWORLDS_EVENT_TYPES)[number];
/** What a subscription listens to: one event type, or every event ('*'). */
export type EventSelector = LearnWorldsEventType | '*';
export const ANY_EVENT = '*';

/** Events whose `data` is itself the user (or lead), not a wrapper holding `data.user`. */
export const FLAT_USER_EVENTS: ReadonlySet<string> = new Set(['leadCreated', 'userTagAdded', 'userTagDeleted']);
