import { createApp } from './app.mjs';
import { openBrafa } from './brafa.mjs';
import { startWorker } from './worker.mjs';

/**
 * Opens the SDK, starts the worker (with `syncOnStart`, its first round syncs every property)
 * and listens. `close()` shuts down gracefully: stop
 * accepting webhooks, let the worker finish its round, then close the database.
 *
 * @param {{
 *   config: import('@brafa/cli').BrafaConfig,
 *   port?: number,
 *   host?: string,
 *   pollMs?: number,
 *   syncOnStart?: boolean,
 *   maxBodyBytes?: number,
 *   log?: (line: string) => void,
 * }} options
 */
export async function startServer({
  config,
  port = 8080,
  host = '127.0.0.1',
  pollMs,
  syncOnStart = false,
  maxBodyBytes,
  log,
}) {
  const brafa = await openBrafa(config, log ? { log } : {});
  const worker = startWorker(brafa.engine, {
    intervalMs: pollMs ?? config.worker.pollSeconds * 1000,
    catchUp: syncOnStart,
    logger: brafa.logger,
  });
  const app = createApp({
    store: brafa.store,
    providers: brafa.providers,
    logger: brafa.logger,
    onAccepted: worker.wake,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
  });

  /** @type {import('node:http').Server} */
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (error) => (error ? reject(error) : resolve(s)));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closing;
  return {
    url,
    brafa,
    close() {
      closing ??= (async () => {
        const stopped = new Promise((resolve) => server.close(resolve));
        server.closeIdleConnections();
        await stopped;
        await worker.stop();
        await brafa.close();
      })();
      return closing;
    },
  };
}
