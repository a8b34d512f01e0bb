import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "product_bought": built from its entry in src/catalogue.ts. */
export default hookTrigger('product_bought');
