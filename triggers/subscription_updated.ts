import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "subscription_updated": built from its entry in src/catalogue.ts. */
export default hookTrigger('subscription_updated');
