/**
 * Registering a school (tenant): its webhook secret checked and kept only as an HMAC and a
 * ciphertext, its URL normalised, and every process told. Shared by the connection-time
 * registration and by each subscription.
 */
import { SchoolUrlError, normaliseSchoolUrl, normaliseWebhookSecret, webhookSecretProblem } from '../../../contract';
import { HttpError } from '../http/http-error';
import type { RouteDeps } from '../http/routes/deps';

export interface SchoolInput {
  school_url: string;
  webhook_secret: string;
}

/** The school's URL and secret, checked (400 naming the field); nothing is stored yet. */
export function checkedSchool(input: SchoolInput): { schoolUrl: string; secret: string } {
  let schoolUrl: string;
  try {
    schoolUrl = normaliseSchoolUrl(input.school_url);
  } catch (error) {
    if (error instanceof SchoolUrlError) throw new HttpError(400, 'invalid_request', `school_url: ${error.message}`);
    throw error;
  }
  const secret = normaliseWebhookSecret(input.webhook_secret);
  const problem = webhookSecretProblem(secret);
  if (problem) throw new HttpError(400, 'invalid_request', `webhook_secret ${problem}`);
  return { schoolUrl, secret };
}

/** Stores a checked school and tells every process. */
export async function registerTenant(deps: RouteDeps, school: { schoolUrl: string; secret: string }): Promise<{ tenantKey: string; schoolUrl: string }> {
  const { schoolUrl, secret } = school;
  const tenantKey = deps.box.tenantKey(secret);
  await deps.store.upsertTenant(tenantKey, deps.box.encrypt(secret), schoolUrl);
  deps.tenants.add(tenantKey);
  return { tenantKey, schoolUrl };
}
