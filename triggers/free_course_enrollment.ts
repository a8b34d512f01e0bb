import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "free_course_enrollment": built from its entry in src/catalogue.ts. */
export default hookTrigger('free_course_enrollment');
