import { startService } from '../serve/server.js';
import { type CommandContext, EXIT, withRuntime } from './shared.js';

/** `brafa serve`: webhooks + worker until SIGINT/SIGTERM, then a clean stop. */
export async function serveCommand(
  ctx: CommandContext,
  o: { port?: string; host?: string },
): Promise<number> {
  const port = o.port === undefined ? 8080 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`--port: expected 0–65535, got "${o.port}"`);
  return withRuntime(ctx, async (rt) => {
    // A worker thread opens its own connection: impossible for an in-memory database.
    const thread = rt.config.worker.thread !== false && !rt.config.database.startsWith('sqlite::memory:');
    const service = await startService(rt, {
      port,
      host: o.host ?? '127.0.0.1',
      worker: thread ? 'thread' : 'inline',
    });
    ctx.reporter.line(`listening on ${service.url} (POST /webhooks/<provider>/<propertyId>, GET /health)`);
    ctx.reporter.result({ url: service.url });
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await service.close();
    ctx.reporter.line('stopped');
    return EXIT.ok;
  });
}
