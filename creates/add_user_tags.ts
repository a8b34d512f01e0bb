/** add_user_tags: see src/api/tag-action.ts. */
import { tagAction } from '../src/api/tag-action';

export default tagAction('attach');
