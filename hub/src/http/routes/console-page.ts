/**
 * The operator console's page at /admin: three static files (hub/console/), same-origin only,
 * no inline script. It calls the admin API (/v1/admin/) with the key the operator types in.
 * Without admin keys it is not served.
 */
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { consoleAssets } from '../console-assets';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const consolePage: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  if (app.hub.config.adminKeys.length === 0) return;
  const assets = consoleAssets();
  for (const [path, asset] of Object.entries({ '/admin': assets.html, '/admin/console.js': assets.script, '/admin/console.css': assets.style })) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .headers({ 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' })
        .type(asset.type)
        .send(asset.body),
    );
  }

  // Browsers ask for an icon; the page has none.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
};
