/**
 * A school's most recent verified deliveries, for a trigger's test in the Zap editor: the app's
 * key plus the school's webhook secret (a school sees only its own), newest first, bounded.
 */
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HEADERS, HUB_PATHS, LEARNWORLDS_EVENT_TYPES, MAX_RECENT_EVENTS, type RecentEventsResponse, normaliseWebhookSecret } from '../../../../contract';
import { requireApiKey } from '../bearer';
import { HttpError, errorBody } from '../http-error';

const SECRET_HEADER = HEADERS.webhookSecret.toLowerCase();

/** contract/hub-facts.ts HubFacts: what the hub worked out when it accepted the event. */
const hubFactsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['event_id', 'received_at'],
  description: 'what the hub worked out when it accepted the event; every delivery carries the same facts (header Learnworlds-Hub-Facts)',
  properties: {
    event_id: { type: 'string' },
    received_at: { type: 'string' },
    tags_added: { type: 'array', items: { type: 'string' } },
    tags_removed: { type: 'array', items: { type: 'string' } },
    tags_change_known: { type: 'boolean' },
    is_new_user: { type: 'boolean' },
  },
} as const;

export const eventRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { events, box } = app.hub;
  const apiKey = requireApiKey(app.hub);
  app.get(
    HUB_PATHS.events,
    {
      onRequest: apiKey,
      schema: {
        summary: "A school's most recent verified deliveries of one event type (or '*'), newest first: what a trigger test shows",
        security: [{ apiKey: [] }],
        headers: { type: 'object', properties: { [SECRET_HEADER]: { type: 'string' } }, required: [SECRET_HEADER] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['event'],
          properties: {
            event: { type: 'string', enum: [...LEARNWORLDS_EVENT_TYPES, '*'] },
            limit: { type: 'string', pattern: `^(?:[1-9]|10)$`, description: `1 to ${MAX_RECENT_EVENTS}, default 3` },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['data'],
            properties: {
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'event_type', 'received_at', 'body', 'facts'],
                  properties: {
                    id: { type: 'string' },
                    event_type: { type: 'string' },
                    received_at: { type: 'string' },
                    body: { type: 'string', description: 'as LearnWorlds sent it' },
                    facts: hubFactsSchema,
                  },
                },
              },
            },
          },
          400: errorBody,
          401: errorBody,
          429: errorBody,
        },
      },
    },
    async (request): Promise<RecentEventsResponse> => {
      const secret = normaliseWebhookSecret(String(request.headers[SECRET_HEADER] ?? ''));
      if (!secret) throw new HttpError(400, 'invalid_request', 'headers.x-webhook-secret is empty');
      const limit = Math.min(Number(request.query.limit ?? 3), MAX_RECENT_EVENTS);
      // An unknown school has no events: the same empty answer, nothing to tell it apart.
      return { data: await events.recent(box.tenantKey(secret), request.query.event, limit) };
    },
  );
};
