/**
 * performList: recent real records from the LearnWorlds API, turned into exactly the item shape
 * a live delivery produces (by building the event body and running the same normaliser). Events
 * the API cannot reproduce fall back to the static sample.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import type { EventSpec, LearnWorldsEventType } from '../catalogue';
import { matchesFilters } from './filters';
import { type JsonObject, type JsonValue, isJsonObject } from '../common/json';
import { type NormalisedItem, normaliseEvent } from './normalise';
import { sampleFor } from './samples';
import { apiUserToWebhookUser } from '../common/user';
import { apiUrl } from '../common/school-url';

const RECENT = 3;

async function getJson(z: ZObject, bundle: Bundle, path: string, params: Record<string, string> = {}): Promise<JsonValue> {
  const response = await z.request({ url: apiUrl(bundle.authData.school_url, path), params });
  return response.data as JsonValue;
}

function records(payload: JsonValue): JsonObject[] {
  const data = isJsonObject(payload) ? payload.data : payload;
  return Array.isArray(data) ? data.filter(isJsonObject).slice(0, RECENT) : [];
}

async function userById(z: ZObject, bundle: Bundle, id: JsonValue | undefined): Promise<JsonObject> {
  if (typeof id !== 'string' || id === '') return {};
  const user = await getJson(z, bundle, `users/${encodeURIComponent(id)}`);
  return isJsonObject(user) ? apiUserToWebhookUser(user) : {};
}

const TRIGGER_NAMES: Partial<Record<LearnWorldsEventType, string>> = {
  userUpdated: 'user_updated',
  leadCreated: 'email_register',
  productBought: 'new_purchase',
  paymentCreated: 'new_purchase',
  awardedCertificate: 'certificate_awarded',
};

function asItem(type: LearnWorldsEventType, data: JsonObject): NormalisedItem {
  return normaliseEvent({ version: 2, type, trigger: TRIGGER_NAMES[type] ?? null, school_id: null, data });
}

async function fetchRecent(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<NormalisedItem[] | undefined> {
  const type = spec.sampleType;
  switch (spec.list) {
    case 'users':
      return records(await getJson(z, bundle, 'users', { items_per_page: String(RECENT) })).map((user) =>
        asItem(type, { ip_address: null, user: apiUserToWebhookUser(user) }),
      );
    case 'leads':
      return records(await getJson(z, bundle, 'leads')).map((lead) => asItem(type, apiUserToWebhookUser(lead)));
    case 'payments': {
      const params: Record<string, string> = { items_per_page: String(RECENT) };
      if (typeof bundle.inputData.product_id === 'string' && bundle.inputData.product_id) params.product_id = bundle.inputData.product_id;
      const payments = records(await getJson(z, bundle, 'payments', params));
      return Promise.all(payments.map(async (payment) => asItem(type, { ip_address: null, payment, user: await userById(z, bundle, payment.user_id) })));
    }
    case 'certificates': {
      const courseId = bundle.inputData.course_id;
      if (typeof courseId !== 'string' || courseId === '') return undefined; // the API needs a course or a user
      const certificates = records(await getJson(z, bundle, 'certificates', { course_id: courseId }));
      return Promise.all(
        certificates.map(async (certificate) => {
          const owner = isJsonObject(certificate.user) ? certificate.user.id : undefined;
          return asItem(type, { ip_address: null, certificate, user: await userById(z, bundle, owner) });
        }),
      );
    }
    case 'sample':
      return undefined;
  }
}

export async function listRecent(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<NormalisedItem[]> {
  const items = (await fetchRecent(z, bundle, spec))?.filter((item) => matchesFilters(item, spec.filters, bundle.inputData));
  return items && items.length > 0 ? items : [sampleFor(spec)];
}
