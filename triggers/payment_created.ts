import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "payment_created": built from its entry in src/catalogue.ts. */
export default hookTrigger('payment_created');
