import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "any_event": built from its entry in src/catalogue.ts. */
export default hookTrigger('any_event');
