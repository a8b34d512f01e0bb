/**
 * performSubscribe / performUnsubscribe talk to the subscription hub (hub/), because
 * LearnWorlds has no API to register webhook URLs. Contract:
 *   POST   ${HUB_URL}/v1/subscriptions       Bearer HUB_API_KEY → 201 {id, event, target_url, created_at}
 *   DELETE ${HUB_URL}/v1/subscriptions/{id}  Bearer HUB_API_KEY + X-Webhook-Secret → 204 (404 is fine)
 */
import type { Bundle, HttpRequestOptionsWithUrl, HttpResponse, ZObject } from 'zapier-platform-core';
import type { EventSpec } from '../catalogue';
import { chosenFilters } from './filters';
import { isJsonObject } from '../common/json';
import { normaliseSchoolUrl } from '../common/school-url';
import { normaliseWebhookSecret } from './signature';

export interface HubSubscription {
  id: string;
  event: string;
  target_url: string;
  created_at: string;
}

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

async function callHub(z: ZObject, request: HttpRequestOptionsWithUrl): Promise<HttpResponse> {
  try {
    return await z.request({ ...request, skipThrowForStatus: true });
  } catch (error) {
    // Session auth turns any 401 into RefreshAuthError; from the hub it means a wrong HUB_API_KEY.
    if ((error as Error).name === 'RefreshAuthError') {
      throw new z.errors.Error('The subscription hub rejected HUB_API_KEY. The publisher must check the key.', 'HubUnauthorized', 401);
    }
    throw error;
  }
}

export async function subscribeToHub(z: ZObject, bundle: Bundle, spec: EventSpec): Promise<HubSubscription> {
  const hub = hubConfig(z);
  if (!bundle.targetUrl) throw new z.errors.Error('Zapier did not provide a target URL to subscribe.', 'NoTargetUrl', 400);
  const response = await callHub(z, {
    url: `${hub.url}/v1/subscriptions`,
    method: 'POST',
    headers: { Authorization: `Bearer ${hub.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: {
      event: spec.type,
      target_url: bundle.targetUrl,
      school_url: normaliseSchoolUrl(bundle.authData.school_url),
      webhook_secret: normaliseWebhookSecret(bundle.authData.webhook_secret ?? ''),
      filters: chosenFilters(spec.filters, bundle.inputData),
    },
  });
  const data: unknown = response.data;
  if (response.status !== 201 || !isJsonObject(data) || typeof data.id !== 'string') {
    throw new z.errors.Error(`The subscription hub did not register this Zap: ${hubMessage(response)}.`, 'HubSubscribeFailed', response.status);
  }
  return data as unknown as HubSubscription;
}

export async function unsubscribeFromHub(z: ZObject, bundle: Bundle): Promise<{ id: string; removed: boolean }> {
  const hub = hubConfig(z);
  const id = bundle.subscribeData?.id;
  if (!id) return { id: '', removed: false };
  const response = await callHub(z, {
    url: `${hub.url}/v1/subscriptions/${encodeURIComponent(id)}`,
    method: 'DELETE',
    headers: {
      Authorization: `Bearer ${hub.apiKey}`,
      'X-Webhook-Secret': normaliseWebhookSecret(bundle.authData.webhook_secret ?? ''),
    },
  });
  if (response.status === 204 || response.status === 200) return { id, removed: true };
  if (response.status === 404) return { id, removed: false };
  throw new z.errors.Error(`The subscription hub did not remove this Zap: ${hubMessage(response)}.`, 'HubUnsubscribeFailed', response.status);
}
