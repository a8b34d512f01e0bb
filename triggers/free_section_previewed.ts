import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "free_section_previewed": built from its entry in src/catalogue.ts. */
export default hookTrigger('free_section_previewed');
