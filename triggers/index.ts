/** Every LearnWorlds REST-hook trigger, one module per event. */
import type { HookTriggerModule } from '../src/webhooks/hook-trigger';
import userUpdated from './user_updated';
import productBought from './product_bought';
import freeCourseEnrollment from './free_course_enrollment';
import leadCaptured from './lead_captured';
import certificateAwarded from './certificate_awarded';
import courseCompleted from './course_completed';
import learningProgramCompleted from './learning_program_completed';
import subscriptionPaymentPaid from './subscription_payment_paid';
import subscriptionCanceled from './subscription_canceled';
import subscriptionTrialStarted from './subscription_trial_started';
import subscriptionTrialEnding from './subscription_trial_ending';
import freeSectionPreviewed from './free_section_previewed';
import subscriptionUpdated from './subscription_updated';
import userUnenrolled from './user_unenrolled';
import userTagsAdded from './user_tags_added';
import userTagsRemoved from './user_tags_removed';
import paymentCreated from './payment_created';
import anyEvent from './any_event';

export const HOOK_TRIGGERS: readonly HookTriggerModule[] = [
  userUpdated,
  productBought,
  freeCourseEnrollment,
  leadCaptured,
  certificateAwarded,
  courseCompleted,
  learningProgramCompleted,
  subscriptionPaymentPaid,
  subscriptionCanceled,
  subscriptionTrialStarted,
  subscriptionTrialEnding,
  freeSectionPreviewed,
  subscriptionUpdated,
  userUnenrolled,
  userTagsAdded,
  userTagsRemoved,
  paymentCreated,
  anyEvent,
];

/** The trigger with this key (an error naming the key when there is none). */
export function hookTrigger(key: string): HookTriggerModule {
  const found = HOOK_TRIGGERS.find((m) => m.spec.key === key);
  if (!found) throw new Error(`no trigger has the key ${key}`);
  return found;
}
