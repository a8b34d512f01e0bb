import { hookTrigger } from '../src/hook-trigger';

/** "product_bought": built from its entry in src/catalogue.ts. */
export default hookTrigger('product_bought');
