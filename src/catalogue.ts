/**
 * The event catalogue: the one source of truth for every LearnWorlds webhook event and the
 * Zapier trigger built from it. Trigger modules, samples, filters, performList sources, the
 * convention tests all read from here; the event names themselves are the contract's (contract/).
 */
import type { EventSelector, LearnWorldsEventType } from '../contract';

export { LEARNWORLDS_EVENT_TYPES, type EventSelector, type LearnWorldsEventType } from '../contract';

/** Optional filter input a trigger offers; a delivery that does not match returns []. */
export type FilterKind = 'course' | 'learning_program' | 'product' | 'previous_product' | 'tag' | 'payment_origin' | 'new_users';

/** Where performList finds recent real records; 'sample' means the static sample. */
export type ListSource = 'users' | 'leads' | 'payments' | 'certificates' | 'sample';

export interface EventSpec {
  /** LearnWorlds `type`, or '*' for the catch-all trigger. */
  type: EventSelector;
  /** Zapier trigger key: a public contract, never rename. */
  key: string;
  label: string;
  /** Singular noun the Zap editor shows ("New User"). */
  noun: string;
  /** Starts with "Triggers when " and ends with ".". */
  description: string;
  /** The event's name in LearnWorlds under Settings → Developers → Webhooks. */
  learnworldsName: string;
  filters: FilterKind[];
  list: ListSource;
  /** The vendor example payload the sample is built from. */
  sampleType: LearnWorldsEventType;
}

/**
 * What LearnWorlds does that a Zap builder must know, in plain words (the vendor's own "important
 * cases"), shown in each trigger's setup text.
 */
export const EVENT_NOTES: Partial<Record<EventSelector, string>> = {
  userUpdated:
    'LearnWorlds sends this on every registration and on every profile change, also changes an admin makes (enrollments, edits). Turn on **Only New Users** to run for registrations only: users who registered at most an hour before the event (**Is New User**).',
  productBought:
    'One purchase reaches both this trigger and **New Payment** (LearnWorlds sends both for the same payment), so a Zap that adds up revenue should use one of them, never both. LearnWorlds also sends it when an admin adds someone to a product without payment: **Is Manual Grant** is then true, and **Payment Origin** → Paid purchases only keeps those out.',
  paymentCreated:
    'The same payment also reaches **New Product Purchase** (one-off purchases) or **Subscription or Installment Paid** (subscriptions), so adding up both double-counts. A manual enrollment into a subscription or product fires this without any payment: **Is Manual Grant** is then true, and **Payment Origin** filters it.',
  subscriptionPaymentPlanBought:
    'Fires for a subscription bought without trial days, for every renewal or installment, for the first payment after a trial, and when an admin enrolls someone into a plan without payment (**Is Manual Grant** true; **Payment Origin** filters it). A subscription bought with trial days fires only **Subscription Trial Started** until its first payment. Every payment here also reaches **New Payment**.',
  subscriptionTrialStarted:
    'A subscription bought with trial days fires only this trigger; the payment after the trial fires **Subscription or Installment Paid** and **New Payment**.',
  subscriptionPaymentPlanCanceled:
    'LearnWorlds sends this when the subscription actually ends (at its next renewal or expiry date), not when the user clicks cancel.',
  subscriptionUpdated:
    '**Product** is the plan after the change and **Previous Product** the plan before it: set both to catch exactly one switch (for example a downgrade from Premium).',
  userTagAdded:
    "LearnWorlds sends the whole tag list after the change; the hub remembers each user's tags from every event, so **Tags Added** says which tags are new.",
  userTagDeleted: "LearnWorlds sends the tags that remain; the hub remembers each user's tags from every event, so **Tags Removed** says which tags went.",
};

const spec = (s: EventSpec): EventSpec => s;

export const EVENT_CATALOGUE: readonly EventSpec[] = [
  spec({
    type: 'userUpdated',
    key: 'user_updated',
    label: 'New or Updated User',
    noun: 'User',
    description: 'Triggers when a user registers or a user profile is updated.',
    learnworldsName: 'User registered/updated',
    filters: ['new_users'],
    list: 'users',
    sampleType: 'userUpdated',
  }),
  spec({
    type: 'productBought',
    key: 'product_bought',
    label: 'New Product Purchase',
    noun: 'Purchase',
    description: 'Triggers when someone buys a course, bundle or subscription.',
    learnworldsName: 'Products bought',
    filters: ['product', 'payment_origin'],
    list: 'payments',
    sampleType: 'productBought',
  }),
  spec({
    type: 'enrolledFreeCourse',
    key: 'free_course_enrollment',
    label: 'New Free Course Enrollment',
    noun: 'Enrollment',
    description: 'Triggers when a user enrolls in a free course.',
    learnworldsName: 'Free course enrollment',
    filters: ['course'],
    list: 'sample',
    sampleType: 'enrolledFreeCourse',
  }),
  spec({
    type: 'leadCreated',
    key: 'lead_captured',
    label: 'New Email Lead',
    noun: 'Lead',
    description: 'Triggers when an email lead is captured.',
    learnworldsName: 'Email lead captured',
    filters: [],
    list: 'leads',
    sampleType: 'leadCreated',
  }),
  spec({
    type: 'awardedCertificate',
    key: 'certificate_awarded',
    label: 'New Certificate Awarded',
    noun: 'Certificate',
    description: 'Triggers when a user is awarded a certificate.',
    learnworldsName: 'Certificate awarded',
    filters: ['course'],
    list: 'certificates',
    sampleType: 'awardedCertificate',
  }),
  spec({
    type: 'courseCompleted',
    key: 'course_completed',
    label: 'Course Completed',
    noun: 'Completion',
    description: 'Triggers when a user completes a course.',
    learnworldsName: 'Course completed',
    filters: ['course'],
    list: 'sample',
    sampleType: 'courseCompleted',
  }),
  spec({
    type: 'learningProgramCompleted',
    key: 'learning_program_completed',
    label: 'Learning Program Completed',
    noun: 'Completion',
    description: 'Triggers when a user completes a learning program.',
    learnworldsName: 'Learning program completed',
    filters: ['learning_program'],
    list: 'sample',
    sampleType: 'learningProgramCompleted',
  }),
  spec({
    type: 'subscriptionPaymentPlanBought',
    key: 'subscription_payment_paid',
    label: 'Subscription or Installment Paid',
    noun: 'Payment',
    description: 'Triggers when a subscription or installment payment is received, including the first payment after a trial.',
    learnworldsName: 'Subscription/installment paid',
    filters: ['product', 'payment_origin'],
    list: 'sample',
    sampleType: 'subscriptionPaymentPlanBought',
  }),
  spec({
    type: 'subscriptionPaymentPlanCanceled',
    key: 'subscription_canceled',
    label: 'Subscription or Installment Canceled',
    noun: 'Cancellation',
    description: 'Triggers when a canceled subscription or installment plan actually ends.',
    learnworldsName: 'Subscription/installment canceled',
    filters: ['product'],
    list: 'sample',
    sampleType: 'subscriptionPaymentPlanCanceled',
  }),
  spec({
    type: 'subscriptionTrialStarted',
    key: 'subscription_trial_started',
    label: 'Subscription Trial Started',
    noun: 'Trial',
    description: 'Triggers when a user starts a subscription trial.',
    learnworldsName: 'Subscription trial started',
    filters: ['product'],
    list: 'sample',
    sampleType: 'subscriptionTrialStarted',
  }),
  spec({
    type: 'subscriptionTrialWillEnd',
    key: 'subscription_trial_ending',
    label: 'Subscription Trial Ending Soon',
    noun: 'Trial',
    description: 'Triggers when a subscription trial ends in three days.',
    learnworldsName: 'Subscription trial ends in three days',
    filters: ['product'],
    list: 'sample',
    sampleType: 'subscriptionTrialWillEnd',
  }),
  spec({
    type: 'previewedFree',
    key: 'free_section_previewed',
    label: 'Free Section Previewed',
    noun: 'Preview',
    description: 'Triggers when a user previews a free section of a paid course.',
    learnworldsName: 'Free section previewed',
    filters: ['course'],
    list: 'sample',
    sampleType: 'previewedFree',
  }),
  spec({
    type: 'subscriptionUpdated',
    key: 'subscription_updated',
    label: 'Subscription Updated',
    noun: 'Subscription',
    description: 'Triggers when a user changes subscription plan or an admin updates a subscription.',
    learnworldsName: 'Subscription updated',
    filters: ['product', 'previous_product'],
    list: 'sample',
    sampleType: 'subscriptionUpdated',
  }),
  spec({
    type: 'userUnenrolledFromProduct',
    key: 'user_unenrolled',
    label: 'User Unenrolled From Product',
    noun: 'Unenrollment',
    description: 'Triggers when a user is unenrolled from a course, bundle or subscription.',
    learnworldsName: 'User unenrolls from product',
    filters: ['product'],
    list: 'sample',
    sampleType: 'userUnenrolledFromProduct',
  }),
  spec({
    type: 'userTagAdded',
    key: 'user_tags_added',
    label: 'Tags Added to User',
    noun: 'User',
    description: 'Triggers when tags are added to a user.',
    learnworldsName: 'Tags added to a user',
    filters: ['tag'],
    list: 'sample',
    sampleType: 'userTagAdded',
  }),
  spec({
    type: 'userTagDeleted',
    key: 'user_tags_removed',
    label: 'Tags Removed From User',
    noun: 'User',
    description: 'Triggers when tags are removed from a user.',
    learnworldsName: 'Tags removed from a user',
    filters: ['tag'],
    list: 'sample',
    sampleType: 'userTagDeleted',
  }),
  spec({
    type: 'paymentCreated',
    key: 'payment_created',
    label: 'New Payment',
    noun: 'Payment',
    description: 'Triggers when a payment is created, for one-off purchases and subscription payments alike.',
    learnworldsName: 'Payment created',
    filters: ['product', 'payment_origin'],
    list: 'payments',
    sampleType: 'paymentCreated',
  }),
  spec({
    type: '*',
    key: 'any_event',
    label: 'Any LearnWorlds Event',
    noun: 'Event',
    description: 'Triggers when your school sends any webhook event.',
    learnworldsName: 'every event you want',
    filters: [],
    list: 'sample',
    sampleType: 'courseCompleted',
  }),
];

export function specByKey(key: string): EventSpec {
  const found = EVENT_CATALOGUE.find((s) => s.key === key);
  if (!found) throw new Error(`No LearnWorlds trigger with key "${key}" in the event catalogue`);
  return found;
}
