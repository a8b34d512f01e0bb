/** Remove Tags From User: tags the user does not have are ignored (src/actions/tags.ts). */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { USER_SAMPLE } from '../src/actions/samples';
import { changeTags, tagsInput } from '../src/actions/tags';

export default defineCreate({
  key: 'remove_user_tags',
  noun: 'Tag',
  display: {
    label: 'Remove Tags From User',
    description: 'Removes tags from a user; tags the user does not have are ignored.',
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [userField, tagsInput('Tags to remove')],
    perform: (z: ZObject, bundle: Bundle) => changeTags(z, bundle, 'detach'),
    sample: USER_SAMPLE,
    outputFields: outputFieldsFor(USER_SAMPLE),
  },
});
