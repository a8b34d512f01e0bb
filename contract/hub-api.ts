/**
 * The hub's HTTP contract with LearnWorlds and with the Zapier app: paths, header names (as
 * sent, and as Node and Zapier present them), and the request and response bodies.
 */
import type { EventSelector } from './events';
import type { Filters } from './filters';
import type { HubFacts } from './hub-facts';

export const HUB_PATHS = {
  /** The one URL a school pastes into LearnWorlds. */
  inbound: '/v1/learnworlds/webhooks',
  subscriptions: '/v1/subscriptions',
  subscription: (id: string) => `/v1/subscriptions/${encodeURIComponent(id)}`,
  /** Registers a school at connect, so deliveries are accepted before any Zap is on. */
  schools: '/v1/schools',
  /** A school's most recent verified deliveries, for a trigger's test. */
  events: '/v1/events',
} as const;

/** Header names as sent; Node lowercases them; Zapier hands hook headers over as `Http-<Name>`. */
export const HEADERS = {
  signature: 'Learnworlds-Webhook-Signature',
  webhookId: 'Webhook-Id',
  webhookTimestamp: 'Webhook-Timestamp',
  /** The school's webhook secret, where the app must prove it knows the school. */
  webhookSecret: 'X-Webhook-Secret',
  /** What the hub worked out about the event (contract/hub-facts.ts), base64url JSON. */
  hubFacts: 'Learnworlds-Hub-Facts',
} as const;

export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS];

/** Every spelling of a header a receiver may see: any casing, with or without Zapier's `Http-`. */
export function headerSpellings(name: HeaderName): ReadonlySet<string> {
  return new Set([name.toLowerCase(), `http-${name.toLowerCase()}`]);
}

export interface SubscribeRequest {
  event: EventSelector;
  target_url: string;
  school_url: string;
  webhook_secret: string;
  filters?: Filters;
}

export interface SubscriptionResponse {
  id: string;
  event: string;
  target_url: string;
  filters: Filters;
  created_at: string;
}

export interface RegisterSchoolRequest {
  school_url: string;
  webhook_secret: string;
}

export interface RegisterSchoolResponse {
  school: string;
  /** The URL to paste into LearnWorlds, as the hub sees itself. */
  inbound_path: string;
}

export interface RecentEvent {
  /** The hub's event id. */
  id: string;
  event_type: string;
  received_at: string;
  /** The body exactly as LearnWorlds sent it. */
  body: string;
  /** What the hub worked out when it accepted the event: the same facts its deliveries carry. */
  facts: HubFacts;
}

export interface RecentEventsResponse {
  data: RecentEvent[];
}

/** How many recent events a trigger test may ask for. */
export const MAX_RECENT_EVENTS = 10;
