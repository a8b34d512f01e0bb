/** Health, metrics (behind HUB_METRICS_TOKEN) and the OpenAPI description. */
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { requireBearer } from '../bearer';

export const operationRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, config, keyFailures, metrics } = app.hub;
  app.get('/healthz', { schema: { summary: 'Health: the database answers' } }, async (_request, reply) => {
    try {
      await db.query('SELECT 1');
      return reply.send({ status: 'ok', database: db.kind });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: db.kind });
    }
  });

  // Without HUB_METRICS_TOKEN (development only; production refuses to start) metrics are open.
  const tokens = config.metricsTokens;
  const guard = tokens.length === 0 ? [] : [requireBearer(tokens, keyFailures, '')];
  app.get('/metrics', { schema: { hide: true }, onRequest: guard }, async (_request, reply) => {
    // Every figure is kept current by counters and by the sampled queue depth: no query here.
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
