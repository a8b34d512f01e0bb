/**
 * The event catalogue: the one source of truth for every LearnWorlds webhook event and the
 * Zapier trigger built from it. Trigger modules, samples, filters, performList sources, the
 * convention tests all read from here; the event names themselves are the contract's (contract/).
 */
import type { EventSelector, LearnWorldsEventType } from '../contract';

export { LEARNWORLDS_EVENT_TYPES, type EventSelector, type LearnWorldsEventType } from '../contract';

/** Optional filter input a trigger offers; a delivery that does not match returns []. */
export type FilterKind = 'course' | 'learning_program' | 'product' | 'tag';

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

const spec = (s: EventSpec): EventSpec => s;

export const EVENT_CATALOGUE: readonly EventSpec[] = [
  spec({ type: 'userUpdated', key: 'user_updated', label: 'New or Updated User', noun: 'User', description: 'Triggers when a user registers or a user profile is updated.', learnworldsName: 'User registered/updated', filters: [], list: 'users', sampleType: 'userUpdated' }),
  spec({ type: 'productBought', key: 'product_bought', label: 'New Product Purchase', noun: 'Purchase', description: 'Triggers when someone buys a course, bundle or subscription.', learnworldsName: 'Products bought', filters: ['product'], list: 'payments', sampleType: 'productBought' }),
  spec({ type: 'enrolledFreeCourse', key: 'free_course_enrollment', label: 'New Free Course Enrollment', noun: 'Enrollment', description: 'Triggers when a user enrolls in a free course.', learnworldsName: 'Free course enrollment', filters: ['course'], list: 'sample', sampleType: 'enrolledFreeCourse' }),
  spec({ type: 'leadCreated', key: 'lead_captured', label: 'New Email Lead', noun: 'Lead', description: 'Triggers when an email lead is captured.', learnworldsName: 'Email lead captured', filters: [], list: 'leads', sampleType: 'leadCreated' }),
  spec({ type: 'awardedCertificate', key: 'certificate_awarded', label: 'New Certificate Awarded', noun: 'Certificate', description: 'Triggers when a user is awarded a certificate.', learnworldsName: 'Certificate awarded', filters: ['course'], list: 'certificates', sampleType: 'awardedCertificate' }),
  spec({ type: 'courseCompleted', key: 'course_completed', label: 'Course Completed', noun: 'Completion', description: 'Triggers when a user completes a course.', learnworldsName: 'Course completed', filters: ['course'], list: 'sample', sampleType: 'courseCompleted' }),
  spec({ type: 'learningProgramCompleted', key: 'learning_program_completed', label: 'Learning Program Completed', noun: 'Completion', description: 'Triggers when a user completes a learning program.', learnworldsName: 'Learning program completed', filters: ['learning_program'], list: 'sample', sampleType: 'learningProgramCompleted' }),
  spec({ type: 'subscriptionPaymentPlanBought', key: 'subscription_payment_paid', label: 'Subscription or Installment Paid', noun: 'Payment', description: 'Triggers when a subscription or installment payment is received, including the first payment after a trial.', learnworldsName: 'Subscription/installment paid', filters: ['product'], list: 'sample', sampleType: 'subscriptionPaymentPlanBought' }),
  spec({ type: 'subscriptionPaymentPlanCanceled', key: 'subscription_canceled', label: 'Subscription or Installment Canceled', noun: 'Cancellation', description: 'Triggers when a canceled subscription or installment plan actually ends.', learnworldsName: 'Subscription/installment canceled', filters: ['product'], list: 'sample', sampleType: 'subscriptionPaymentPlanCanceled' }),
  spec({ type: 'subscriptionTrialStarted', key: 'subscription_trial_started', label: 'Subscription Trial Started', noun: 'Trial', description: 'Triggers when a user starts a subscription trial.', learnworldsName: 'Subscription trial started', filters: ['product'], list: 'sample', sampleType: 'subscriptionTrialStarted' }),
  spec({ type: 'subscriptionTrialWillEnd', key: 'subscription_trial_ending', label: 'Subscription Trial Ending Soon', noun: 'Trial', description: 'Triggers when a subscription trial ends in three days.', learnworldsName: 'Subscription trial ends in three days', filters: ['product'], list: 'sample', sampleType: 'subscriptionTrialWillEnd' }),
  spec({ type: 'previewedFree', key: 'free_section_previewed', label: 'Free Section Previewed', noun: 'Preview', description: 'Triggers when a user previews a free section of a paid course.', learnworldsName: 'Free section previewed', filters: ['course'], list: 'sample', sampleType: 'previewedFree' }),
  spec({ type: 'subscriptionUpdated', key: 'subscription_updated', label: 'Subscription Updated', noun: 'Subscription', description: 'Triggers when a user changes subscription plan or an admin updates a subscription.', learnworldsName: 'Subscription updated', filters: ['product'], list: 'sample', sampleType: 'subscriptionUpdated' }),
  spec({ type: 'userUnenrolledFromProduct', key: 'user_unenrolled', label: 'User Unenrolled From Product', noun: 'Unenrollment', description: 'Triggers when a user is unenrolled from a course, bundle or subscription.', learnworldsName: 'User unenrolls from product', filters: ['product'], list: 'sample', sampleType: 'userUnenrolledFromProduct' }),
  spec({ type: 'userTagAdded', key: 'user_tags_added', label: 'Tags Added to User', noun: 'User', description: 'Triggers when tags are added to a user.', learnworldsName: 'Tags added to a user', filters: ['tag'], list: 'sample', sampleType: 'userTagAdded' }),
  spec({ type: 'userTagDeleted', key: 'user_tags_removed', label: 'Tags Removed From User', noun: 'User', description: 'Triggers when tags are removed from a user.', learnworldsName: 'Tags removed from a user', filters: ['tag'], list: 'sample', sampleType: 'userTagDeleted' }),
  spec({ type: 'paymentCreated', key: 'payment_created', label: 'New Payment', noun: 'Payment', description: 'Triggers when a payment is created, for one-off purchases and subscription payments alike.', learnworldsName: 'Payment created', filters: ['product'], list: 'payments', sampleType: 'paymentCreated' }),
  spec({ type: '*', key: 'any_event', label: 'Any LearnWorlds Event', noun: 'Event', description: 'Triggers when your school sends any webhook event.', learnworldsName: 'every event you want', filters: [], list: 'sample', sampleType: 'courseCompleted' }),
];

export function specByKey(key: string): EventSpec {
  const found = EVENT_CATALOGUE.find((s) => s.key === key);
  if (!found) throw new Error(`No LearnWorlds trigger with key "${key}" in the event catalogue`);
  return found;
}
