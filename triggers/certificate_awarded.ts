import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "certificate_awarded": built from its entry in src/catalogue.ts. */
export default hookTrigger('certificate_awarded');
