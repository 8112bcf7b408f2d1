import { pathToFileURL } from 'node:url';
import { loadConfig } from '@brafa/cli';
import { startServer } from './server.mjs';

/**
 * `node examples/express-webhook-server/src/main.mjs`
 *
 * Env: BRAFA_CONFIG (default ./brafa.config.json; `${VAR}` placeholders in it are read from
 * the environment), PORT (default 8080), HOST (default 127.0.0.1).
 */
export async function main(env = process.env) {
  const config = await loadConfig(env.BRAFA_CONFIG ?? './brafa.config.json', env);
  const server = await startServer({
    config,
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '127.0.0.1',
    syncOnStart: true,
  });
  console.log(`listening on ${server.url}`);

  const shutdown = async (signal) => {
    console.log(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
