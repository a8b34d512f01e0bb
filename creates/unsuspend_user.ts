/** unsuspend_user: see src/api/suspension-action.ts. */
import { suspensionAction } from '../src/api/suspension-action';

export default suspensionAction(false);
