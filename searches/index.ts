/** Every search, one module each, and the find-or-create pair; the keys are a public contract. */
import find_course_progress from './find_course_progress';
import find_user from './find_user';

export const SEARCHES = { find_user, find_course_progress };

export const SEARCH_OR_CREATES = {
  find_user: {
    key: 'find_user',
    display: {
      label: 'Find or Create User',
      description: 'Finds a user by email address or user ID, and creates the user when there is none.',
    },
    search: 'find_user',
    create: 'create_user',
  },
};
