import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "user_unenrolled": built from its entry in src/catalogue.ts. */
export default hookTrigger('user_unenrolled');
