/** Every action, one module each; the keys are a public contract. */
import add_user_tags from './add_user_tags';
import create_user from './create_user';
import enroll_user from './enroll_user';
import remove_user_tags from './remove_user_tags';
import suspend_user from './suspend_user';
import unenroll_user from './unenroll_user';
import unsuspend_user from './unsuspend_user';
import update_user from './update_user';

export const CREATES = { create_user, update_user, enroll_user, unenroll_user, add_user_tags, remove_user_tags, suspend_user, unsuspend_user };
