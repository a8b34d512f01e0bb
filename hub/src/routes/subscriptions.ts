/** The subscription API, called by the Zapier app's performSubscribe / performUnsubscribe. */
import type { FastifyInstance } from 'fastify';
import { LEARNWORLDS_EVENT_TYPES } from '../../../src/catalogue';
import { SchoolUrlError, normaliseSchoolUrl } from '../../../src/common/school-url';
import { normaliseWebhookSecret, webhookSecretProblem } from '../../../src/webhooks/signature';
import { requireBearer } from '../bearer';
import { HttpError, errorBody } from '../http-error';
import { normaliseTarget, targetRefusal } from '../targets';
import type { RouteDeps } from './deps';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Printable text: no NUL or other control characters reach a text column. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';

const subscriptionBody = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    event: { type: 'string' },
    target_url: { type: 'string' },
    filters: { type: 'object', additionalProperties: { type: 'string' } },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

interface SubscribeBody {
  event: string;
  target_url: string;
  school_url: string;
  webhook_secret: string;
  filters?: Record<string, string>;
}

export async function subscriptionRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { config, store, box, tenants } = deps;
  const requireApiKey = requireBearer(config.apiKeys, deps.keyFailures, 'the subscription API is disabled: HUB_API_KEYS is not set');

  app.post<{ Body: SubscribeBody }>(
    '/v1/subscriptions',
    {
      onRequest: requireApiKey,
      schema: {
        summary: 'Subscribe a Zap (performSubscribe)',
        security: [{ apiKey: [] }],
        body: {
          type: 'object',
          required: ['event', 'target_url', 'school_url', 'webhook_secret'],
          additionalProperties: false,
          properties: {
            event: { type: 'string', enum: [...LEARNWORLDS_EVENT_TYPES, '*'] },
            target_url: { type: 'string', minLength: 1, maxLength: 2048, pattern: PRINTABLE },
            school_url: { type: 'string', minLength: 1, maxLength: 300, pattern: PRINTABLE },
            webhook_secret: { type: 'string', minLength: 1, maxLength: 512 },
            filters: {
              type: 'object',
              maxProperties: 10,
              propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' },
              additionalProperties: { type: 'string', maxLength: 256, pattern: PRINTABLE },
            },
          },
        },
        response: { 201: subscriptionBody, 400: errorBody, 401: errorBody, 409: errorBody, 429: errorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let schoolUrl: string;
      try {
        schoolUrl = normaliseSchoolUrl(body.school_url);
      } catch (error) {
        if (error instanceof SchoolUrlError) throw new HttpError(400, 'invalid_request', `school_url: ${error.message}`);
        throw error;
      }
      const secret = normaliseWebhookSecret(body.webhook_secret);
      const problem = webhookSecretProblem(secret);
      if (problem) throw new HttpError(400, 'invalid_request', `webhook_secret ${problem}`);
      const refusal = targetRefusal(body.target_url, config.allowedTargets);
      if (refusal) throw new HttpError(400, 'invalid_request', refusal);
      const tenantKey = box.tenantKey(secret);
      await store.upsertTenant(tenantKey, box.encrypt(secret), schoolUrl);
      tenants.add(tenantKey);
      const result = await store.createSubscription(
        { tenantKey, event: body.event, targetUrl: normaliseTarget(body.target_url), filters: body.filters ?? {} },
        config.maxSubscriptionsPerSchool,
      );
      if (result.kind === 'limit') {
        throw new HttpError(409, 'subscription_limit', `this school already has ${result.limit} subscriptions (HUB_MAX_SUBSCRIPTIONS_PER_SCHOOL): turn off Zaps it no longer needs`);
      }
      request.log.info({ subscription: result.subscription.id, event: result.subscription.event }, 'subscription created');
      return reply.code(201).send(result.subscription);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/subscriptions/:id',
    {
      onRequest: requireApiKey,
      schema: {
        summary: 'Unsubscribe a Zap (performUnsubscribe)',
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        headers: { type: 'object', properties: { 'x-webhook-secret': { type: 'string' } }, required: ['x-webhook-secret'] },
        response: { 204: { type: 'null', description: 'Removed' }, 400: errorBody, 401: errorBody, 404: errorBody, 429: errorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const secret = normaliseWebhookSecret(String(request.headers['x-webhook-secret'] ?? ''));
      if (!secret) throw new HttpError(400, 'invalid_request', 'headers.x-webhook-secret is empty');
      const removed = UUID.test(id) && (await store.deleteSubscription(id, box.tenantKey(secret)));
      if (!removed) throw new HttpError(404, 'not_found', 'no such subscription');
      request.log.info({ subscription: id }, 'subscription removed');
      return reply.code(204).send();
    },
  );
}
