/**
 * Registering a school (tenant): its webhook secret checked and kept only as an HMAC and a
 * ciphertext, its URL normalised, and every process told. Shared by the connection-time
 * registration and by each subscription.
 */
import { SchoolUrlError, normaliseSchoolUrl, normaliseWebhookSecret, webhookSecretProblem } from '../../../contract';
import type { TenantRegistry } from './registry';
import type { SecretBox } from './secrets';
import type { TenantStore } from './tenant-store';

export interface SchoolInput {
  school_url: string;
  webhook_secret: string;
}

/** A school's URL or secret that cannot be used; the message names the field. */
export class InvalidSchool extends Error {}

/** The school's URL and secret, checked (InvalidSchool naming the field); nothing is stored yet. */
export function checkedSchool(input: SchoolInput): { schoolUrl: string; secret: string } {
  let schoolUrl: string;
  try {
    schoolUrl = normaliseSchoolUrl(input.school_url);
  } catch (error) {
    if (error instanceof SchoolUrlError) throw new InvalidSchool(`school_url: ${error.message}`);
    throw error;
  }
  const secret = normaliseWebhookSecret(input.webhook_secret);
  const problem = webhookSecretProblem(secret);
  if (problem) throw new InvalidSchool(`webhook_secret ${problem}`);
  return { schoolUrl, secret };
}

/** Stores a checked school and tells every process. */
export async function registerTenant(
  services: { box: SecretBox; tenants: TenantStore; registry: TenantRegistry },
  school: { schoolUrl: string; secret: string },
): Promise<{ tenantKey: string; schoolUrl: string }> {
  const { schoolUrl, secret } = school;
  const tenantKey = services.box.tenantKey(secret);
  await services.tenants.upsert(tenantKey, services.box.encrypt(secret), schoolUrl);
  services.registry.add(tenantKey);
  return { tenantKey, schoolUrl };
}
