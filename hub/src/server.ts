/**
 * The hub's HTTP API (Fastify): the one inbound URL for LearnWorlds, the subscription API for
 * Zapier's performSubscribe/performUnsubscribe, health, metrics and the OpenAPI description.
 */
import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LEARNWORLDS_EVENT_TYPES } from '../../src/catalogue';
import { SchoolUrlError, normaliseSchoolUrl } from '../../src/school-url';
import { constantTimeEqual, normaliseWebhookSecret } from '../../src/signature';
import type { HubConfig } from './config';
import type { Database } from './database';
import type { HubMetrics } from './metrics';
import type { SecretBox } from './secrets';
import type { HubStore } from './store';
import { targetRefusal } from './targets';

export const INBOUND_PATH = '/v1/learnworlds/webhooks';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ServerDeps {
  config: HubConfig;
  db: Database;
  store: HubStore;
  box: SecretBox;
  metrics: HubMetrics;
  onEventStored: () => void;
  logger: boolean | Record<string, unknown>;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const errorBody = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
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

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, store, box, metrics } = deps;
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: config.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  /** Tenants are never deleted, so a positive lookup can be remembered. */
  const knownTenants = new Set<string>();

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'LearnWorlds → Zapier subscription hub',
        version: '1.0.0',
        description: 'Receives LearnWorlds webhooks at one URL and fans each verified delivery out to every subscribed Zap.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    if (error.validation && error.validation.length > 0) {
      const first = error.validation[0]!;
      const where = `${error.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`;
      const allowed = first.keyword === 'enum' ? `: ${(first.params as { allowedValues: string[] }).allowedValues.join(', ')}` : '';
      return reply.code(400).send({ error: 'invalid_request', message: `${where} ${first.message ?? 'is invalid'}${allowed}` });
    }
    if (error.statusCode === 413) return reply.code(413).send({ error: 'payload_too_large', message: `the body is larger than ${config.bodyLimitBytes} bytes` });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === INBOUND_PATH && reply.statusCode === 413) metrics.rejected.inc({ reason: 'too_large' });
  });

  const requireApiKey = async (request: FastifyRequest) => {
    if (config.apiKeys.length === 0) throw new HttpError(401, 'unauthorized', 'the subscription API is disabled: HUB_API_KEYS is not set');
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    let ok = false;
    for (const key of config.apiKeys) ok = constantTimeEqual(token, key) || ok;
    if (!ok) throw new HttpError(401, 'unauthorized', 'missing or wrong API key (Authorization: Bearer …)');
  };

  // --- Inbound: the one URL pasted into LearnWorlds -------------------------------------------
  await app.register(async (inbound) => {
    inbound.removeAllContentTypeParsers();
    inbound.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    inbound.post(
      INBOUND_PATH,
      {
        schema: {
          summary: 'Receive a LearnWorlds webhook (paste this URL into Settings → Developers → Webhooks)',
          headers: { type: 'object', properties: { 'learnworlds-webhook-signature': { type: 'string' } } },
          response: {
            200: { description: 'A repeat of a delivery accepted within 24 hours: not fanned out again', type: 'object', properties: { status: { type: 'string' } } },
            202: { description: 'Stored durably; fanned out to every matching subscription', type: 'object', properties: { status: { type: 'string' }, deliveries: { type: 'integer' } } },
            400: errorBody,
            401: errorBody,
            413: errorBody,
          },
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const header = request.headers['learnworlds-webhook-signature'];
        const value = typeof header === 'string' ? header.trim() : '';
        const secret = value.startsWith('v1=') ? value.slice(3) : '';
        const tenantKey = secret ? box.tenantKey(secret) : '';
        if (!tenantKey || !(knownTenants.has(tenantKey) || (await store.tenantExists(tenantKey)))) {
          metrics.rejected.inc({ reason: 'signature' });
          throw new HttpError(401, 'unauthorized', value ? 'unknown Learnworlds-Webhook-Signature' : 'missing Learnworlds-Webhook-Signature header');
        }
        knownTenants.add(tenantKey);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const malformed = (message: string) => {
          metrics.rejected.inc({ reason: 'malformed' });
          return new HttpError(400, 'invalid_body', message);
        };
        if (body.length === 0) throw malformed('the body is empty');
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw malformed('the body is not valid JSON');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('the body must be a JSON object');
        const type = (parsed as Record<string, unknown>).type;
        if (typeof type !== 'string' || type.trim() === '') throw malformed('the body has no "type"');
        const result = await store.accept({ tenantKey, eventType: type, body, bodyHash: createHash('sha256').update(body).digest('hex') });
        if (result.eventId === null) {
          metrics.received.inc({ result: 'duplicate' });
          return reply.code(200).send({ status: 'duplicate' });
        }
        metrics.received.inc({ result: 'accepted' });
        if (result.deliveries > 0) deps.onEventStored();
        return reply.code(202).send({ status: 'accepted', deliveries: result.deliveries });
      },
    );
  });

  // --- Subscription API: called by the Zapier integration -------------------------------------
  app.post(
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
            target_url: { type: 'string', minLength: 1, maxLength: 2048 },
            school_url: { type: 'string', minLength: 1, maxLength: 300 },
            webhook_secret: { type: 'string', minLength: 1, maxLength: 512 },
            filters: { type: 'object', maxProperties: 10, additionalProperties: { type: 'string', maxLength: 256 } },
          },
        },
        response: { 201: subscriptionBody, 400: errorBody, 401: errorBody },
      },
    },
    async (request, reply) => {
      const body = request.body as { event: string; target_url: string; school_url: string; webhook_secret: string; filters?: Record<string, string> };
      let schoolUrl: string;
      try {
        schoolUrl = normaliseSchoolUrl(body.school_url);
      } catch (error) {
        if (error instanceof SchoolUrlError) throw new HttpError(400, 'invalid_request', `school_url: ${error.message}`);
        throw error;
      }
      const secret = normaliseWebhookSecret(body.webhook_secret);
      if (!secret) throw new HttpError(400, 'invalid_request', 'webhook_secret is empty');
      const refusal = targetRefusal(body.target_url, config.allowedTargets);
      if (refusal) throw new HttpError(400, 'invalid_request', refusal);
      const tenantKey = box.tenantKey(secret);
      await store.upsertTenant(tenantKey, box.encrypt(secret), schoolUrl);
      knownTenants.add(tenantKey);
      const subscription = await store.createSubscription({ tenantKey, event: body.event, targetUrl: body.target_url, filters: body.filters ?? {} });
      request.log.info({ subscription: subscription.id, event: subscription.event }, 'subscription created');
      return reply.code(201).send(subscription);
    },
  );

  app.delete(
    '/v1/subscriptions/:id',
    {
      onRequest: requireApiKey,
      schema: {
        summary: 'Unsubscribe a Zap (performUnsubscribe)',
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        headers: { type: 'object', properties: { 'x-webhook-secret': { type: 'string' } }, required: ['x-webhook-secret'] },
        response: { 204: { type: 'null', description: 'Removed' }, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const secret = normaliseWebhookSecret(String(request.headers['x-webhook-secret'] ?? ''));
      if (!secret) throw new HttpError(400, 'invalid_request', 'headers.x-webhook-secret is empty');
      const removed = UUID.test(id) && (await store.deleteSubscription(id, box.tenantKey(secret)));
      if (!removed) throw new HttpError(404, 'not_found', 'no such subscription');
      request.log.info({ subscription: id }, 'subscription removed');
      return reply.code(204).send();
    },
  );

  // --- Operations -------------------------------------------------------------------------------
  app.get('/healthz', { schema: { summary: 'Health: the database answers' } }, async (_request, reply) => {
    try {
      await deps.db.query('SELECT 1');
      return reply.send({ status: 'ok', database: deps.db.kind });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.kind });
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
