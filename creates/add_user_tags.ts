/** Add Tags to User: tags the user already has are kept as they are (src/actions/tags.ts). */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { USER_SAMPLE } from '../src/actions/samples';
import { changeTags, tagsInput } from '../src/actions/tags';

export default defineCreate({
  key: 'add_user_tags',
  noun: 'Tag',
  display: {
    label: 'Add Tags to User',
    description: 'Adds tags to a user; tags the user already has are kept as they are.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField, tagsInput('Tags to add')],
    perform: (z: ZObject, bundle: Bundle) => changeTags(z, bundle, 'attach'),
    sample: USER_SAMPLE,
    outputFields: outputFieldsFor(USER_SAMPLE),
  },
});
