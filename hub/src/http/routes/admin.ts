/**
 * The operator's admin API under /v1/admin/ (bearer keys from HUB_ADMIN_KEYS, never the
 * Zapier app's key) and the console page at /admin that uses it. Without admin keys neither is
 * registered. Every admin call is logged with who (a fingerprint of the key) and what.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import { AdminStore } from '../../admin/admin-store';
import { DELIVERY_STATUSES } from '../../queue/status';
import { bearerToken, requireBearer } from '../bearer';
import { HttpError, errorBody } from '../http-error';
import { RECOVER_MS } from '../../queue/pacing';

const ID = '^[1-9][0-9]{0,18}$';
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** Who did it, for the log: a short fingerprint of the admin key, never the key. */
function who(request: FastifyRequest): string {
  return `key:${createHash('sha256').update(bearerToken(request)).digest('hex').slice(0, 8)}`;
}

const nullable = (type: string) => ({ type: [type, 'null'] });
const deliveryProperties = {
  id: { type: 'string' },
  status: { type: 'string', enum: [...DELIVERY_STATUSES] },
  event_type: { type: 'string' },
  tenant: { type: 'string', description: 'the school: first 12 hex characters of its tenant key' },
  school_url: { type: 'string' },
  subscription_id: { type: 'string' },
  target: { type: 'string', description: 'the Zap hook URL, redacted to its host and a short tail' },
  webhook_id: { type: 'string' },
  attempts: { type: 'integer' },
  last_status: nullable('integer'),
  last_error: nullable('string'),
  next_attempt_at: nullable('string'),
  received_at: nullable('string'),
  finished_at: nullable('string'),
} as const;

export const adminRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { config, db, keyFailures, replays, worker } = app.hub;
  if (config.adminKeys.length === 0) return; // no admin keys: the admin API is off
  const admin = new AdminStore(db);
  const requireAdmin = requireBearer(config.adminKeys, keyFailures, 'the admin API is off: HUB_ADMIN_KEYS is not set');
  const security = [{ adminKey: [] }];

  // Every route of this plugin (registered under /v1/admin) needs an admin key, and is logged.
  app.addHook('onRequest', requireAdmin);
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode < 400) {
      request.log.info({ admin: who(request), action: `${request.method} ${request.routeOptions.url ?? ''}`, params: request.params }, 'admin action');
    }
  });

  app.get(
    '/tenants',
    {
      schema: {
        summary: 'Every school: subscriptions, last event received per type, last 24 h of deliveries by outcome',
        tags: ['admin'],
        security,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
          401: errorBody,
          429: errorBody,
        },
      },
    },
    async () => ({ data: await admin.tenants() }),
  );

  app.get(
    '/targets',
    {
      schema: {
        summary: 'Targets paused or slowed after a 429, or with deliveries waiting: backlog, rate share, pause (largest backlog first)',
        tags: ['admin'],
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    target: { type: 'string' },
                    account: { type: 'string' },
                    paused_until: { type: ['string', 'null'] },
                    rate_share: { type: 'number' },
                    backlog: { type: 'integer' },
                    oldest_pending: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          401: errorBody,
          429: errorBody,
        },
      },
    },
    async () => ({ data: await admin.targets(RECOVER_MS) }),
  );

  app.get(
    '/deliveries',
    {
      schema: {
        summary: 'The delivery log, newest first, paged (next_before → ?before=)',
        tags: ['admin'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...DELIVERY_STATUSES] },
            tenant: { type: 'string', pattern: '^[0-9a-f]{12}$' },
            event: { type: 'string', pattern: '^[A-Za-z*][A-Za-z0-9_.:-]{0,99}$' },
            limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: '1 to 200, default 50' },
            before: { type: 'string', pattern: ID },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: { type: 'object', properties: deliveryProperties } }, next_before: nullable('string') },
          },
          400: errorBody,
          401: errorBody,
        },
      },
    },
    async (request) => {
      const { status, tenant, event, before } = request.query;
      const limit = Number(request.query.limit ?? 50);
      const data = await admin.deliveries({ status, tenant, event, before, limit });
      return { data, next_before: data.length === limit ? data[data.length - 1].id : null };
    },
  );

  app.get(
    '/deliveries/:id',
    {
      schema: {
        summary: 'One delivery, with the event body and every attempt',
        tags: ['admin'],
        security,
        params: { type: 'object', properties: { id: { type: 'string', pattern: ID } }, required: ['id'] },
        response: {
          200: {
            type: 'object',
            properties: { ...deliveryProperties, body: {}, attempt_history: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          400: errorBody,
          401: errorBody,
          404: errorBody,
        },
      },
    },
    async (request) => {
      const delivery = await admin.delivery(request.params.id);
      if (!delivery) throw new HttpError(404, 'not_found', 'no such delivery');
      return delivery;
    },
  );

  app.post(
    '/deliveries/:id/replay',
    {
      schema: {
        summary: 'Put a failed or delivered delivery back on the queue now (same Webhook-Id, so the Zap dedupes it)',
        tags: ['admin'],
        security,
        params: { type: 'object', properties: { id: { type: 'string', pattern: ID } }, required: ['id'] },
        response: { 202: { type: 'object', properties: { status: { type: 'string' } } }, 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (request, reply) => {
      const result = await replays.replay(request.params.id);
      if (result === 'missing') throw new HttpError(404, 'not_found', 'no such delivery');
      if (result === 'pending') throw new HttpError(409, 'already_pending', 'this delivery is still pending: it is sent (or retried) on its own');
      worker.wake();
      return reply.code(202).send({ status: 'queued' });
    },
  );

  app.post(
    '/subscriptions/:id/replay-failed',
    {
      schema: {
        summary: 'Replay every failed delivery of one subscription (once its Zap is fixed)',
        tags: ['admin'],
        security,
        params: { type: 'object', properties: { id: { type: 'string', pattern: UUID } }, required: ['id'] },
        response: { 202: { type: 'object', properties: { replayed: { type: 'integer' } } }, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      const replayed = await replays.replayFailed(request.params.id);
      if (replayed === undefined) throw new HttpError(404, 'not_found', 'no such subscription');
      if (replayed > 0) worker.wake();
      return reply.code(202).send({ replayed });
    },
  );
};
