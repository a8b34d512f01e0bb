import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "subscription_trial_started": built from its entry in src/catalogue.ts. */
export default hookTrigger('subscription_trial_started');
