/**
 * Create User: POST /v2/users. An email that already has an account is not an error: that user
 * is returned unchanged with `already_existed: true`. API calls: 1 for a new user; 2 for an
 * existing one (the refused create, then the lookup that returns the user).
 */
import { type Bundle, type ZObject, defineCreate } from 'zapier-platform-core';
import type { JsonObject } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { emailField, usernameField } from '../src/actions/fields';
import { API_THROTTLE, USER_BY_EMAIL_LOCK } from '../src/actions/limits';
import { USER_SAMPLE } from '../src/actions/samples';
import { newUserBody } from '../src/actions/user-body';
import { createUser, outputUser } from '../src/api/users';

export interface CreatedUser extends JsonObject {
  already_existed: boolean;
}

/** Creates the user, or returns the existing one with that email. */
export async function createOrReturnUser(z: ZObject, bundle: Bundle, body: JsonObject): Promise<CreatedUser> {
  const { user, created } = await createUser(z, bundle, body);
  return { ...outputUser(user), already_existed: !created };
}

export async function perform(z: ZObject, bundle: Bundle): Promise<CreatedUser> {
  return createOrReturnUser(z, bundle, newUserBody(z, bundle.inputData));
}

export default defineCreate({
  key: 'create_user',
  noun: 'User',
  display: {
    label: 'Create User',
    description: 'Creates a user in your school, or returns the existing user with that email.',
  },
  operation: {
    throttle: API_THROTTLE,
    lock: USER_BY_EMAIL_LOCK,
    inputFields: [
      emailField,
      usernameField,
      {
        key: 'password',
        label: 'Password',
        type: 'password',
        required: false,
        helpText: 'A first password for the user. Leave empty to let the user set one through the registration email or "Forgot password".',
      },
      {
        key: 'send_registration_email',
        label: 'Send Registration Email',
        type: 'boolean',
        required: false,
        default: 'false',
        helpText: "Send LearnWorlds' registration email to the new user. Off by default.",
      },
      {
        key: 'subscribed_for_marketing_emails',
        label: 'Subscribed to Marketing Emails',
        type: 'boolean',
        required: false,
        helpText: 'Whether the user agreed to marketing emails, usually mapped from the consent box of your form. Leave empty to keep the school default.',
      },
      {
        key: 'tags',
        label: 'Tags',
        list: true,
        type: 'string',
        required: false,
        helpText: 'Tags to give the new user: one per line, or several separated by commas.',
      },
      {
        key: 'fields',
        label: 'Sign-up Fields',
        dict: true,
        required: false,
        helpText:
          'Custom sign-up fields of your school as name and value, such as `company` → the company from your form. The name is the field ID in **Settings → Sign-up forms**, with or without `cf_`.',
      },
    ],
    perform,
    sample: { ...USER_SAMPLE, already_existed: false },
    outputFields: outputFieldsFor({ ...USER_SAMPLE, already_existed: false }),
  },
});
