/**
 * performList: the school's last real events from the hub, through the live pipeline; else
 * recent records from the LearnWorlds API, turned into the event body a delivery would carry and
 * run through the same normaliser; else the static sample.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import type { EventSpec, LearnWorldsEventType } from '../catalogue';
import { zapWants } from './filters';
import { evaluateBody } from './hook-perform';
import { recentEventsFromHub } from './hub-client';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';
import { type LearnWorldsEnvelope, type NormalisedItem, normaliseEvent } from './normalise';
import { sampleFor } from './samples';
import { apiUserToWebhookUser } from '../common/user';
import { callApi, rows } from '../api/client';

const RECENT = 3;

async function getJson(z: ZObject, bundle: Bundle, path: readonly string[], params: Record<string, string> = {}): Promise<JsonValue | undefined> {
  return callApi(z, bundle, { method: 'GET', path, params });
}

function records(payload: JsonValue | undefined): JsonObject[] {
  return rows(payload).slice(0, RECENT);
}

async function userById(z: ZObject, bundle: Bundle, id: JsonValue | undefined): Promise<JsonObject> {
  if (typeof id !== 'string' || id === '') return {};
  const user = await getJson(z, bundle, ['users', id]);
  return isJsonObject(user) ? apiUserToWebhookUser(user) : {};
}

const TRIGGER_NAMES: Partial<Record<LearnWorldsEventType, string>> = {
  userUpdated: 'user_updated',
  leadCreated: 'email_register',
  productBought: 'new_purchase',
  paymentCreated: 'new_purchase',
  awardedCertificate: 'certificate_awarded',
};

/** An API record as the webhook body LearnWorlds would have sent for it. */
function asEvent(type: LearnWorldsEventType, data: JsonObject): LearnWorldsEnvelope {
  return { version: 2, type, trigger: TRIGGER_NAMES[type] ?? null, school_id: null, data };
}

async function fetchRecent(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<LearnWorldsEnvelope[] | undefined> {
  const type = spec.sampleType;
  switch (spec.list) {
    case 'users':
      return records(await getJson(z, bundle, ['users'], { items_per_page: String(RECENT) })).map((user) =>
        asEvent(type, { ip_address: null, user: apiUserToWebhookUser(user) }),
      );
    case 'leads':
      return records(await getJson(z, bundle, ['leads'])).map((lead) => asEvent(type, apiUserToWebhookUser(lead)));
    case 'payments': {
      const params: Record<string, string> = { items_per_page: String(RECENT) };
      if (typeof bundle.inputData.product_id === 'string' && bundle.inputData.product_id) params.product_id = bundle.inputData.product_id;
      const payments = records(await getJson(z, bundle, ['payments'], params));
      return Promise.all(payments.map(async (payment) => asEvent(type, { ip_address: null, payment, user: await userById(z, bundle, payment.user_id) })));
    }
    case 'certificates': {
      const courseId = bundle.inputData.course_id;
      if (typeof courseId !== 'string' || courseId === '') return undefined; // the API needs a course or a user
      const certificates = records(await getJson(z, bundle, ['certificates'], { course_id: courseId }));
      return Promise.all(
        certificates.map(async (certificate) => {
          const owner = isJsonObject(certificate.user) ? certificate.user.id : undefined;
          return asEvent(type, { ip_address: null, certificate, user: await userById(z, bundle, owner) });
        }),
      );
    }
    case 'sample':
      return undefined;
  }
}

/** The school's real recent deliveries, kept by the hub, through the live pipeline. */
async function fromHub(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<NormalisedItem[]> {
  const events = await recentEventsFromHub(z, bundle, spec, RECENT);
  const items: NormalisedItem[] = [];
  for (const event of events) {
    const verdict = evaluateBody(spec, { raw: event.body }, bundle.inputData, event.facts);
    if (verdict.kind === 'item') items.push(verdict.item);
  }
  return items;
}

/**
 * performList: the school's last real events of this type as the hub stored them (exactly what
 * the Zap will get); else recent API records reshaped into events; else the static sample.
 */
export async function listRecent(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<NormalisedItem[]> {
  const real = await fromHub(z, bundle, spec);
  if (real.length > 0) return real;
  let events: LearnWorldsEnvelope[] = [];
  try {
    events = (await fetchRecent(z, bundle, spec)) ?? [];
  } catch (error) {
    // A 5xx or an unreachable API must not make the trigger test fail: the sample shows the fields.
    // An expired session still goes up, so Zapier refreshes it.
    if (error instanceof Error && error.name === 'RefreshAuthError') throw error;
    z.console.log(
      `[learnworlds] trigger test: the LearnWorlds API did not list recent records (${error instanceof Error ? error.message.split('\n')[0]?.slice(0, 200) : 'unknown error'}); showing the example`,
    );
  }
  const items = events.filter((event) => zapWants(event.type, event.data, undefined, spec.filters, bundle.inputData)).map((event) => normaliseEvent(event));
  return items.length > 0 ? items : [sampleFor(spec)];
}
