/** `npm start`: the hub as a process, configured from the environment. */
import { ConfigError, loadConfig } from './config';
import { startHub } from './hub';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`hub: configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const hub = await startHub(config);
  const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const lines = [
    `LearnWorlds → Zapier hub listening on ${hub.url} (storage: ${storage})`,
    `  Paste into LearnWorlds (Settings → Developers → Webhooks), for every event: ${hub.inboundUrl}`,
    '    (behind your HTTPS load balancer: https://<your hub domain>/v1/learnworlds/webhooks)',
    `  Subscription API base for the Zapier app (HUB_URL): ${hub.url}   OpenAPI: ${hub.url}/openapi.json`,
  ];
  lines.push(
    config.adminKeys.length > 0 ? `  Operator console: ${hub.url}/admin` : '  HUB_ADMIN_KEYS is not set: the admin API and the operator console are off.',
  );
  if (config.apiKeys.length === 0) lines.push('  HUB_API_KEYS is not set: the subscription API refuses every request until it is.');
  if (hub.usingDevelopmentKey) lines.push('  HUB_SECRET_KEY is not set: using a development key stored in the database (required in production).');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.app.log.info({ signal }, 'shutting down: finishing in-flight requests and deliveries');
    hub
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error('hub: shutdown failed', error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`hub: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
