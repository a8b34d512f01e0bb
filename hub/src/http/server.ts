/**
 * The hub's HTTP server (Fastify): timeouts, errors, OpenAPI, and the route plugins: inbound
 * (the one URL for LearnWorlds), subscriptions and events (for the Zapier app), operations, and
 * the admin API under /v1/admin with its console page (for the operator). Every plugin reads its
 * services from `app.hub` (services.ts) and is typed from its JSON schemas (one type provider).
 */
import type { ServerOptions } from 'node:http';
import swagger from '@fastify/swagger';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HubConfig } from '../config';
import { type DatabaseHealth, isDatabaseUnavailable } from '../db/health';
import type { HubServices } from '../services';
import { InvalidSchool } from '../tenants/school';
import { HttpError } from './http-error';
import { adminRoutes } from './routes/admin';
import { consolePage } from './routes/console-page';
import { eventRoutes } from './routes/events';
import { INBOUND_PATH, inboundRoutes } from './routes/inbound';
import { operationRoutes } from './routes/operations';
import { subscriptionRoutes } from './routes/subscriptions';

export { INBOUND_PATH };

export type HubApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, JsonSchemaToTsProvider>;

/** The server without routes: its options, OpenAPI and the error handler. */
export async function createServer(options: { config: HubConfig; health: DatabaseHealth; logger: boolean | Record<string, unknown> }): Promise<HubApp> {
  const { config } = options;
  const httpOptions: ServerOptions = {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(config.requestTimeoutMs, 10_000),
    connectionsCheckingInterval: 1000,
  };
  const app = Fastify({
    logger: options.logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A request whose headers and body are not all in within the timeout is answered 408 and
    // closed (checked every second), so stalled or trickling clients cannot hold sockets.
    requestTimeout: config.requestTimeoutMs,
    http: httpOptions,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<JsonSchemaToTsProvider>();

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'LearnWorlds → Zapier subscription hub',
        version: '1.0.0',
        description: 'Receives LearnWorlds webhooks at one URL and fans each verified delivery out to every subscribed Zap.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'a key from HUB_API_KEYS (the Zapier app)' },
          adminKey: { type: 'http', scheme: 'bearer', description: 'a key from HUB_ADMIN_KEYS (operators)' },
        },
      },
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).headers(error.headers).send({ error: error.code, message: error.message });
    if (error instanceof InvalidSchool) return reply.code(400).send({ error: 'invalid_request', message: error.message });
    if (error.validation && error.validation.length > 0) {
      const first = error.validation[0];
      const where = `${error.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`;
      const values = first.keyword === 'enum' && 'allowedValues' in first.params ? first.params.allowedValues : undefined;
      const allowed = Array.isArray(values) ? `: ${values.join(', ')}` : '';
      const what = first.schemaPath.includes('/propertyNames/')
        ? `has a key that is not allowed (${first.message ?? 'invalid'})`
        : (first.message ?? 'is invalid');
      return reply.code(400).send({ error: 'invalid_request', message: `${where} ${what}${allowed}` });
    }
    if (error.statusCode === 413)
      return reply.code(413).send({ error: 'payload_too_large', message: `the body is larger than ${config.bodyLimitBytes} bytes` });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      // Logged once per outage (db/health.ts), not once per request; LearnWorlds retries a 503.
      return reply
        .code(503)
        .header('retry-after', String(options.health.retryAfterSeconds))
        .send({ error: 'unavailable', message: 'the database is unavailable: try again later (nothing was stored)' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });

  return app;
}

/** The route plugins, once `services` are decorated on the instance (app.hub). */
export async function registerRoutes(app: HubApp, services: HubServices): Promise<void> {
  app.decorate('hub', services);
  const { metrics } = services;
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === INBOUND_PATH && reply.statusCode === 413) metrics.rejected.inc({ reason: 'too_large' });
  });
  await app.register(inboundRoutes);
  await app.register(subscriptionRoutes);
  await app.register(eventRoutes);
  await app.register(operationRoutes);
  await app.register(consolePage);
  await app.register(adminRoutes, { prefix: '/v1/admin' });
}
