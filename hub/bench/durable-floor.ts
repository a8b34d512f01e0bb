/**
 * The physical floor for a durable webhook receiver, for the hub benchmark: Fastify answering
 * 202 after one INSERT of the body per request (committed, no batching), on the same engines as
 * the hub (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL). Nothing else: no signature, no
 * fan-out, no dedupe.
 */
import Fastify from 'fastify';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';

const CREATE = 'CREATE TABLE IF NOT EXISTS floor_events (id bigserial PRIMARY KEY, body bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())';

async function main(): Promise<void> {
  let insert: (body: Buffer) => Promise<void>;
  let close: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
    await pool.query(CREATE);
    insert = async (body) => {
      await pool.query({ name: 'floor_insert', text: 'INSERT INTO floor_events (body) VALUES ($1)', values: [body] });
    };
    close = () => pool.end();
  } else {
    const db = await PGlite.create(process.env.DATA_DIR ?? '.data/floor');
    await db.exec(CREATE);
    insert = async (body) => {
      await db.query('INSERT INTO floor_events (body) VALUES ($1)', [body]);
    };
    close = () => db.close();
  }
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/v1/learnworlds/webhooks', async (request, reply) => {
    await insert(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    return reply.code(202).send({ status: 'accepted' });
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`durable floor listening on ${address}`);
  process.on(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(close)
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
