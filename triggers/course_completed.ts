import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "course_completed": built from its entry in src/catalogue.ts. */
export default hookTrigger('course_completed');
