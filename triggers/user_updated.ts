import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "user_updated": built from its entry in src/catalogue.ts. */
export default hookTrigger('user_updated');
