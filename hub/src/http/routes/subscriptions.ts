/**
 * The API the Zapier app calls (bearer HUB_API_KEYS): registering a school at connect, and
 * subscribing and unsubscribing each Zap.
 */
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import {
  FILTER_KEYS,
  type Filters,
  HEADERS,
  HUB_PATHS,
  LEARNWORLDS_EVENT_TYPES,
  type RegisterSchoolResponse,
  activeFilters,
  filterValueProblem,
  normaliseWebhookSecret,
} from '../../../../contract';
import { requireApiKey } from '../bearer';
import { HttpError, errorBody } from '../http-error';
import { normaliseTarget, targetRefusal } from '../../delivery/targets';
import { checkedSchool, registerTenant } from '../../tenants/school';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Printable text: no NUL or other control characters reach a text column. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';

const school = {
  school_url: { type: 'string', minLength: 1, maxLength: 300, pattern: PRINTABLE },
  webhook_secret: { type: 'string', minLength: 1, maxLength: 512 },
} as const;

const subscribeBody = {
  type: 'object',
  required: ['event', 'target_url', 'school_url', 'webhook_secret'],
  additionalProperties: false,
  properties: {
    event: { type: 'string', enum: [...LEARNWORLDS_EVENT_TYPES, '*'] },
    target_url: { type: 'string', minLength: 1, maxLength: 2048, pattern: PRINTABLE },
    ...school,
    filters: {
      type: 'object',
      maxProperties: FILTER_KEYS.length,
      propertyNames: { enum: [...FILTER_KEYS] },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
    },
  },
} as const;

const subscriptionReply = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'event', 'target_url', 'filters', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    event: { type: 'string' },
    target_url: { type: 'string' },
    filters: { type: 'object', additionalProperties: { type: 'string' } },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** The filters that restrict anything (contract/filters.ts), or 400 naming the bad value; `any`/`false` are stored as no filter. */
function checkedFilters(input: Partial<Record<(typeof FILTER_KEYS)[number], string>>): Filters {
  const filters = activeFilters(input);
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    const problem = value === undefined ? undefined : filterValueProblem(key, value);
    if (problem) throw new HttpError(400, 'invalid_request', problem);
  }
  return filters;
}

export const subscriptionRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { config, subscriptions, box } = app.hub;
  const apiKey = requireApiKey(app.hub);

  app.put(
    HUB_PATHS.schools,
    {
      onRequest: apiKey,
      schema: {
        summary: "Register a school (the Zapier app's connection test): its deliveries are accepted and stored from now on, before any Zap is on",
        security: [{ apiKey: [] }],
        body: { type: 'object', required: ['school_url', 'webhook_secret'], additionalProperties: false, properties: school },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['school', 'inbound_path'],
            properties: { school: { type: 'string' }, inbound_path: { type: 'string' } },
          },
          400: errorBody,
          401: errorBody,
          429: errorBody,
        },
      },
    },
    async (request): Promise<RegisterSchoolResponse> => {
      const { schoolUrl } = await registerTenant(app.hub, checkedSchool(request.body));
      request.log.info({ school: new URL(schoolUrl).host }, 'school registered');
      return { school: new URL(schoolUrl).host, inbound_path: HUB_PATHS.inbound };
    },
  );

  app.post(
    HUB_PATHS.subscriptions,
    {
      onRequest: apiKey,
      schema: {
        summary: 'Subscribe a Zap (performSubscribe)',
        security: [{ apiKey: [] }],
        body: subscribeBody,
        response: { 201: subscriptionReply, 400: errorBody, 401: errorBody, 409: errorBody, 429: errorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const school = checkedSchool(body);
      const refusal = targetRefusal(body.target_url, config.allowedTargets);
      if (refusal) throw new HttpError(400, 'invalid_request', refusal);
      const filters = checkedFilters(body.filters ?? {});
      const { tenantKey } = await registerTenant(app.hub, school);
      const result = await subscriptions.create(
        { tenantKey, event: body.event, targetUrl: normaliseTarget(body.target_url), filters },
        config.maxSubscriptionsPerSchool,
      );
      if (result.kind === 'limit') {
        throw new HttpError(
          409,
          'subscription_limit',
          `this school already has ${result.limit} subscriptions (HUB_MAX_SUBSCRIPTIONS_PER_SCHOOL): turn off Zaps it no longer needs`,
        );
      }
      request.log.info({ subscription: result.subscription.id, event: result.subscription.event }, 'subscription created');
      return reply.code(201).send(result.subscription);
    },
  );

  app.delete(
    '/v1/subscriptions/:id',
    {
      onRequest: apiKey,
      schema: {
        summary: 'Unsubscribe a Zap (performUnsubscribe)',
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        headers: { type: 'object', properties: { [HEADERS.webhookSecret.toLowerCase()]: { type: 'string' } }, required: [HEADERS.webhookSecret.toLowerCase()] },
        response: { 204: { type: 'null', description: 'Removed' }, 400: errorBody, 401: errorBody, 404: errorBody, 429: errorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const secret = normaliseWebhookSecret(String(request.headers[HEADERS.webhookSecret.toLowerCase()] ?? ''));
      if (!secret) throw new HttpError(400, 'invalid_request', 'headers.x-webhook-secret is empty');
      const removed = UUID.test(id) && (await subscriptions.delete(id, box.tenantKey(secret)));
      if (!removed) throw new HttpError(404, 'not_found', 'no such subscription');
      request.log.info({ subscription: id }, 'subscription removed');
      return reply.code(204).send(null);
    },
  );
};
