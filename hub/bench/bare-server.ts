/** The ceiling for the hub benchmark: a Fastify endpoint that answers 200 and does nothing. */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/v1/learnworlds/webhooks', async (_req, reply) => reply.code(200).send({ status: 'ok' }));
void app.listen({ host: '127.0.0.1', port: 0 }).then((address) => console.log(`bare server listening on ${address}`));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
