import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "subscription_canceled": built from its entry in src/catalogue.ts. */
export default hookTrigger('subscription_canceled');
