/**
 * The vendor's example bodies (LearnWorlds developer docs, payload version 2), one per event.
 * They are the triggers' samples and the tests' fixtures.
 *
 * paymentCreated.json is NOT a verbatim vendor example: the vendor text stops inside
 * `data.payment` right after `paid_at`. Everything up to there is kept verbatim; the rest of
 * `payment`, `data.user` and `data.ip_address` were completed the way the productBought
 * example (same payment id, same dates) is shaped. See README.md in this folder.
 */
import type { LearnWorldsEventType } from '../events';
import type { JsonObject } from '../json';
import awardedCertificate from './awardedCertificate.json';
import courseCompleted from './courseCompleted.json';
import enrolledFreeCourse from './enrolledFreeCourse.json';
import leadCreated from './leadCreated.json';
import learningProgramCompleted from './learningProgramCompleted.json';
import paymentCreated from './paymentCreated.json';
import previewedFree from './previewedFree.json';
import productBought from './productBought.json';
import subscriptionPaymentPlanBought from './subscriptionPaymentPlanBought.json';
import subscriptionPaymentPlanCanceled from './subscriptionPaymentPlanCanceled.json';
import subscriptionTrialStarted from './subscriptionTrialStarted.json';
import subscriptionTrialWillEnd from './subscriptionTrialWillEnd.json';
import subscriptionUpdated from './subscriptionUpdated.json';
import userTagAdded from './userTagAdded.json';
import userTagDeleted from './userTagDeleted.json';
import userUnenrolledFromProduct from './userUnenrolledFromProduct.json';
import userUpdated from './userUpdated.json';

export const VENDOR_PAYLOADS: Record<LearnWorldsEventType, JsonObject> = {
  userUpdated,
  productBought,
  enrolledFreeCourse,
  leadCreated,
  awardedCertificate,
  courseCompleted,
  learningProgramCompleted,
  subscriptionPaymentPlanBought,
  subscriptionPaymentPlanCanceled,
  subscriptionTrialStarted,
  subscriptionTrialWillEnd,
  previewedFree,
  subscriptionUpdated,
  userUnenrolledFromProduct,
  userTagAdded,
  userTagDeleted,
  paymentCreated,
};
