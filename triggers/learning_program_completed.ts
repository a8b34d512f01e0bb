import { hookTrigger } from '../src/webhooks/hook-trigger';

/** "learning_program_completed": built from its entry in src/catalogue.ts. */
export default hookTrigger('learning_program_completed');
