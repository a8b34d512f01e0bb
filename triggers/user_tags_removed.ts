import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "user_tags_removed": built from its entry in src/catalogue.ts. */
export default hookTrigger('user_tags_removed');
