import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "subscription_payment_paid": built from its entry in src/catalogue.ts. */
export default hookTrigger('subscription_payment_paid');
