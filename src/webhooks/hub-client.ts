/**
 * The app's side of the hub contract (contract/hub-api.ts), because LearnWorlds has no API to
 * register webhook URLs: the connection test registers the school, performSubscribe and
 * performUnsubscribe register and remove each Zap, and a trigger test reads the school's last
 * real events. Every call carries `Authorization: Bearer HUB_API_KEY`; calls about one school
 * prove it with its webhook secret.
 */
import type { Bundle, HttpRequestOptionsWithUrl, HttpResponse, ZObject } from 'zapier-platform-core';
import {
  HEADERS,
  HUB_PATHS,
  MAX_RECENT_EVENTS,
  type RecentEvent,
  type SubscribeRequest,
  type SubscriptionResponse,
  hubFactsFrom,
  isJsonObject,
  normaliseSchoolUrl,
  normaliseWebhookSecret,
} from '../../contract';
import type { EventSpec } from '../catalogue';
import { chosenFilters } from './filters';

export type HubSubscription = SubscriptionResponse;

export interface HubConfig {
  url: string;
  apiKey: string;
}

export function hubConfig(z: ZObject, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const url = (env.HUB_URL ?? '').trim().replace(/\/+$/, '');
  const apiKey = (env.HUB_API_KEY ?? '').trim();
  const missing = [url ? '' : 'HUB_URL', apiKey ? '' : 'HUB_API_KEY'].filter(Boolean);
  if (missing.length > 0) {
    throw new z.errors.Error(
      `This LearnWorlds integration is not connected to its subscription hub: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. ` +
        'The publisher sets them with `zapier-platform env:set`.',
      'HubNotConfigured',
      500,
    );
  }
  if (!/^https?:\/\/[^/\s]+/i.test(url)) {
    throw new z.errors.Error('HUB_URL must be an http(s) address such as https://hub.example.com.', 'HubNotConfigured', 500);
  }
  return { url, apiKey };
}

function hubMessage(response: HttpResponse): string {
  const data: unknown = response.data;
  if (isJsonObject(data) && typeof data.message === 'string') return data.message;
  return `HTTP ${response.status}`;
}

function schoolSecret(bundle: Bundle): string {
  return normaliseWebhookSecret(bundle.authData.webhook_secret ?? '');
}

async function callHub(z: ZObject, request: HttpRequestOptionsWithUrl): Promise<HttpResponse> {
  try {
    return await z.request({ ...request, skipThrowForStatus: true });
  } catch (error) {
    // Session auth turns any 401 into RefreshAuthError; from the hub it means a wrong HUB_API_KEY.
    if (error instanceof Error && error.name === 'RefreshAuthError') {
      throw new z.errors.Error('The subscription hub rejected HUB_API_KEY. The publisher must check the key.', 'HubUnauthorized', 401);
    }
    throw error;
  }
}

export async function subscribeToHub(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<HubSubscription> {
  const hub = hubConfig(z);
  if (!bundle.targetUrl) throw new z.errors.Error('Zapier did not provide a target URL to subscribe.', 'NoTargetUrl', 400);
  const body: SubscribeRequest = {
    event: spec.type,
    target_url: bundle.targetUrl,
    school_url: normaliseSchoolUrl(bundle.authData.school_url),
    webhook_secret: schoolSecret(bundle),
    filters: chosenFilters(spec.filters, bundle.inputData),
  };
  const response = await callHub(z, {
    url: `${hub.url}${HUB_PATHS.subscriptions}`,
    method: 'POST',
    headers: { Authorization: `Bearer ${hub.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: { ...body },
  });
  const data: unknown = response.data;
  if (response.status !== 201 || !isJsonObject(data) || typeof data.id !== 'string') {
    throw new z.errors.Error(`The subscription hub did not register this Zap: ${hubMessage(response)}.`, 'HubSubscribeFailed', response.status);
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { id: data.id, event: text(data.event), target_url: text(data.target_url), filters: body.filters ?? {}, created_at: text(data.created_at) };
}

export async function unsubscribeFromHub(z: ZObject, bundle: Bundle): Promise<{ id: string; removed: boolean }> {
  const hub = hubConfig(z);
  const id = bundle.subscribeData?.id;
  if (!id) return { id: '', removed: false };
  const response = await callHub(z, {
    url: `${hub.url}${HUB_PATHS.subscription(id)}`,
    method: 'DELETE',
    headers: { Authorization: `Bearer ${hub.apiKey}`, [HEADERS.webhookSecret]: schoolSecret(bundle) },
  });
  if (response.status === 204 || response.status === 200) return { id, removed: true };
  if (response.status === 404) return { id, removed: false };
  throw new z.errors.Error(`The subscription hub did not remove this Zap: ${hubMessage(response)}.`, 'HubUnsubscribeFailed', response.status);
}

/** Why a call that must not fail the user's step did not reach the hub (for the log). */
function unreachable(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]?.slice(0, 200) ?? ''}` : 'unknown error';
}

export type SchoolRegistration = 'registered' | 'hub not configured' | `hub unavailable (${string})`;

/**
 * The connection test registers the school, so the hub accepts and stores deliveries from the
 * moment the admin pastes the URL, before any Zap is on. A hub that is not configured or not
 * reachable does not fail the test: a connection may serve actions only, and each Zap that
 * turns on registers the school again. Only a refusal of the school's own values does.
 */
export async function registerSchool(z: ZObject, bundle: Bundle): Promise<SchoolRegistration> {
  let hub: HubConfig;
  try {
    hub = hubConfig(z);
  } catch {
    return 'hub not configured';
  }
  let response: HttpResponse;
  try {
    response = await callHub(z, {
      url: `${hub.url}${HUB_PATHS.schools}`,
      method: 'PUT',
      headers: { Authorization: `Bearer ${hub.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: { school_url: normaliseSchoolUrl(bundle.authData.school_url), webhook_secret: schoolSecret(bundle) },
      timeout: 5000,
    });
  } catch (error) {
    z.console.log(`[learnworlds] connection test: the hub could not be reached (${unreachable(error)}); the school registers when a Zap turns on`);
    return `hub unavailable (${unreachable(error)})`;
  }
  if (response.status === 200 || response.status === 201) return 'registered';
  if (response.status === 400) throw new z.errors.Error(`The subscription hub refused this connection: ${hubMessage(response)}.`, 'HubRefusedSchool', 400);
  z.console.log(`[learnworlds] connection test: the hub answered ${response.status} (${hubMessage(response)}); the school registers when a Zap turns on`);
  return `hub unavailable (HTTP ${response.status})`;
}

/** The school's most recent verified deliveries of this trigger's event (newest first); [] when the hub cannot say. */
export async function recentEventsFromHub(z: ZObject, bundle: Bundle, spec: EventSpec, limit: number): Promise<RecentEvent[]> {
  let hub: HubConfig;
  try {
    hub = hubConfig(z);
  } catch {
    return [];
  }
  try {
    const response = await callHub(z, {
      url: `${hub.url}${HUB_PATHS.events}`,
      method: 'GET',
      params: { event: spec.type, limit: String(Math.min(limit, MAX_RECENT_EVENTS)) },
      headers: { Authorization: `Bearer ${hub.apiKey}`, [HEADERS.webhookSecret]: schoolSecret(bundle), Accept: 'application/json' },
      timeout: 5000,
    });
    const data: unknown = response.data;
    if (response.status !== 200 || !isJsonObject(data) || !Array.isArray(data.data)) return [];
    return data.data.filter(isJsonObject).flatMap((event) => {
      const facts = hubFactsFrom(event.facts);
      return typeof event.id === 'string' && typeof event.body === 'string' && typeof event.event_type === 'string' && facts
        ? [{ id: event.id, event_type: event.event_type, received_at: typeof event.received_at === 'string' ? event.received_at : '', body: event.body, facts }]
        : [];
    });
  } catch (error) {
    z.console.log(`[learnworlds] trigger test: the hub could not list recent events (${unreachable(error)})`);
    return [];
  }
}
