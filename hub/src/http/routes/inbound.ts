/**
 * The one URL pasted into LearnWorlds. The signature is checked from the headers, in memory,
 * before the body is read: a forged request costs no body read and no database query. Only a
 * verified, well-formed body reaches the (batched) durable insert.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS, HUB_PATHS, isJsonObject, secretFromSignature } from '../../../../contract';
import { tooManyFailures } from '../bearer';
import { HttpError, errorBody } from '../http-error';
import { nestsDeeperThan } from '../json-depth';

export const INBOUND_PATH = HUB_PATHS.inbound;

/** LearnWorlds bodies nest about 5 levels; far deeper ones crash recursive JSON code downstream. */
export const MAX_BODY_DEPTH = 32;

const SIGNATURE_HEADER = HEADERS.signature.toLowerCase();

/** Bodies of refused requests up to this size are drained to keep the connection; larger ones close it. */
const DRAIN_LIMIT_BYTES = 16 * 1024;

/** What a LearnWorlds event name looks like; anything else never reaches the database. */
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

export const inboundRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { box, metrics, events, registry, signatureFailures, worker } = app.hub;
  const tenantOf = new WeakMap<FastifyRequest, string>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const verifySignature = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers[SIGNATURE_HEADER];
    const value = typeof header === 'string' ? header.trim() : '';
    const secret = secretFromSignature(value);
    const tenantKey = secret ? box.tenantKey(secret) : '';
    if (tenantKey && registry.has(tenantKey)) {
      tenantOf.set(request, tenantKey);
      return;
    }
    // The body is never read. A large or streamed one is not drained either: the connection is
    // closed. A small one is discarded by Node and the connection kept (cheap for both sides).
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT_BYTES || request.headers['transfer-encoding'] !== undefined) reply.header('connection', 'close');
    // A known school always passes (LearnWorlds sends every school's deliveries from shared
    // addresses); unknown signatures from one address past the limit get 429.
    const wait = signatureFailures.retryAfter(request.ip);
    if (wait !== undefined) {
      metrics.rejected.inc({ reason: 'rate_limited' });
      throw tooManyFailures(wait);
    }
    signatureFailures.recordFailure(request.ip);
    metrics.rejected.inc({ reason: 'signature' });
    throw new HttpError(401, 'unauthorized', value ? 'unknown Learnworlds-Webhook-Signature' : 'missing Learnworlds-Webhook-Signature header');
  };

  app.post(
    INBOUND_PATH,
    {
      onRequest: verifySignature,
      schema: {
        summary: 'Receive a LearnWorlds webhook (paste this URL into Settings → Developers → Webhooks)',
        headers: { type: 'object', properties: { [SIGNATURE_HEADER]: { type: 'string' } } },
        response: {
          200: {
            description: "A LearnWorlds retry (the same body as the user's last event, within 24 hours): not fanned out again",
            type: 'object',
            properties: { status: { type: 'string' } },
          },
          202: {
            description: 'Stored durably; fanned out to every matching subscription',
            type: 'object',
            properties: { status: { type: 'string' }, deliveries: { type: 'integer' } },
          },
          400: errorBody,
          401: errorBody,
          413: errorBody,
          429: errorBody,
        },
      },
    },
    async (request, reply) => {
      const tenantKey = tenantOf.get(request);
      if (tenantKey === undefined) throw new HttpError(401, 'unauthorized', 'missing Learnworlds-Webhook-Signature header');
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
      if (!isJsonObject(parsed)) throw malformed('the body must be a JSON object');
      if (nestsDeeperThan(body, MAX_BODY_DEPTH)) throw malformed(`the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
      const type = parsed.type;
      if (typeof type !== 'string' || type.trim() === '') throw malformed('the body has no "type"');
      if (!EVENT_NAME.test(type))
        throw malformed('the body\'s "type" is not an event name (a letter, then letters, digits, _ . : or -; at most 100 characters)');
      const data = isJsonObject(parsed.data) ? parsed.data : {};
      const result = await events.accept({ tenantKey, eventType: type, data, body, bodyHash: createHash('sha256').update(body).digest('hex') });
      if (result.eventId === null) {
        metrics.received.inc({ result: 'duplicate' });
        return reply.code(200).send({ status: 'duplicate' });
      }
      metrics.received.inc({ result: 'accepted' });
      if (result.deliveries > 0) worker.wake();
      return reply.code(202).send({ status: 'accepted', deliveries: result.deliveries });
    },
  );
};
