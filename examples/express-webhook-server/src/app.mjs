import { createWebhookHandler } from '@brafa/core';
import express from 'express';

/**
 * The Express app: `POST /webhooks/mews/:propertyId?Token=…` and `GET /health`.
 *
 * The webhook route hands the raw body to core's handler, which checks the token (constant
 * time), logs the payload, queues a job and answers 202 — it never calls MEWS or a lock
 * inline, so MEWS gets its answer well within its 5-second limit.
 *
 * @param {{
 *   store: import('@brafa/core').Store,
 *   providers: Map<string, import('@brafa/core').PmsProvider>,
 *   logger?: import('@brafa/core').Logger,
 *   maxBodyBytes?: number,
 *   onAccepted?: () => void,
 * }} options `onAccepted` runs after a 202 (the server wakes the worker with it)
 */
export function createApp({ store, providers, logger, maxBodyBytes = 256 * 1024, onAccepted }) {
  const handle = createWebhookHandler({
    store,
    providers: (property) => (property.provider === 'mews' ? providers.get(property.id) : undefined),
    maxBodyBytes,
    ...(logger ? { logger } : {}),
  });
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', async (_req, res) => {
    try {
      res.json({ ok: true, jobs: await store.countJobs() });
    } catch (error) {
      logger?.error('health check failed', { error: error instanceof Error ? error.message : String(error) });
      res.status(503).json({ ok: false });
    }
  });

  app.post(
    '/webhooks/mews/:propertyId',
    // MEWS sends JSON without a reliable content-type: take every body raw, up to the cap.
    express.raw({ type: () => true, limit: maxBodyBytes }),
    async (req, res) => {
      const result = await handle({
        propertyId: req.params.propertyId,
        method: req.method,
        query: Object.fromEntries(new URL(req.originalUrl, 'http://localhost').searchParams),
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
        ),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      res.status(result.status).json(result.body);
      if (result.status === 202) onAccepted?.();
    },
  );

  app.use((_req, res) => {
    res.status(404).json({ ok: false, message: 'not found' });
  });
  // Express 5 forwards rejected promises here. Body-parser errors carry their status (413).
  app.use((error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    if (status === 500) logger?.error('request failed', { error: error?.message ?? String(error) });
    res.status(status).json({ ok: false, message: status === 413 ? 'body too large' : 'request failed' });
  });
  return app;
}
