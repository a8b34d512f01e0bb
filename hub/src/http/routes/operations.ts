/** Health, metrics (behind HUB_METRICS_TOKEN) and the OpenAPI description. */
import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../bearer';
import type { RouteDeps } from './deps';

export async function operationRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Health: the database answers' } }, async (_request, reply) => {
    try {
      await deps.db.query('SELECT 1');
      return reply.send({ status: 'ok', database: deps.db.kind });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.kind });
    }
  });

  // Without HUB_METRICS_TOKEN (development only; production refuses to start) metrics are open.
  const tokens = deps.config.metricsTokens;
  const guard = tokens.length === 0 ? [] : [requireBearer(tokens, deps.keyFailures, '')];
  app.get('/metrics', { schema: { hide: true }, onRequest: guard }, async (_request, reply) => {
    // Every figure is kept current by counters and by the sampled queue depth: no query here.
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
