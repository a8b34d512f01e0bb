import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "lead_captured": built from its entry in src/catalogue.ts. */
export default hookTrigger('lead_captured');
