import { SlidingWindow } from '../../runtime/sliding-window.js';
import type { SandboxReply } from '../../util/http.js';
import { createPrng, deriveSeed } from '../../util/prng.js';
import type { SandboxRequest, VendorContext, VendorRouter } from '../types.js';
import { MewsFailure, mewsError, mewsOk } from './errors.js';
import { mewsOperations } from './operations.js';

const PREFIX = '/api/connector/v1/';

export interface MewsOptions {
  /** Per-AccessToken sliding window (mews.md §4: 200 requests / 30 s); false disables it. */
  rateLimit?: { limit: number; windowMs: number } | false;
}

/**
 * MEWS Connector API fake: `POST {PlatformAddress}/api/connector/v1/{resource}/{action}` with
 * JSON bodies carrying `ClientToken`/`AccessToken`/`Client` (mews.md §1, §2.1).
 */
export function createMewsRouter(
  ctx: VendorContext,
  options: MewsOptions = {},
): VendorRouter & { resetRateLimit(): void } {
  const limit = options.rateLimit === undefined ? { limit: 200, windowMs: 30_000 } : options.rateLimit;
  const window = limit ? new SlidingWindow(limit.limit, limit.windowMs) : null;
  const prng = createPrng(deriveSeed(ctx.world.seed, 'mews'));

  async function handle(request: SandboxRequest, path: string): Promise<SandboxReply> {
    const operationName = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : null;
    const operation = operationName === null ? undefined : mewsOperations[operationName];
    // Wrong case, trailing slash or method: 404 (mews.md §1, §5.1).
    if (!operation || request.method !== 'POST') return mewsError(404, 'Not Found');
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return mewsError(400, 'Invalid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return mewsError(400, 'Invalid JSON');
    const fields = body as Record<string, unknown>;
    // Auth lives in the body (mews.md §2.1); 401 covers invalid tokens and a missing Client (§5.1).
    const property = ctx.world.properties.find((p) => p.mews && p.mews.accessToken === fields.AccessToken);
    if (
      typeof fields.ClientToken !== 'string' ||
      fields.ClientToken !== ctx.world.mews.clientToken ||
      typeof fields.AccessToken !== 'string' ||
      !property
    ) {
      return mewsError(401, 'Invalid ClientToken or AccessToken.');
    }
    if (typeof fields.Client !== 'string' || fields.Client.trim() === '') {
      return mewsError(401, 'Invalid Client: the name and version of the client application are required.');
    }
    if (window) {
      const waitMs = window.tryHit(fields.AccessToken, ctx.clock.now().getTime());
      if (waitMs > 0) {
        return mewsError(429, 'Too many requests.', { 'Retry-After': String(Math.ceil(waitMs / 1000)) });
      }
    }
    try {
      return mewsOk(operation({ ...ctx, property, prng }, body));
    } catch (error) {
      if (error instanceof MewsFailure) return mewsError(error.status, error.message);
      throw error;
    }
  }

  return {
    relativePath: (pathname) => {
      const index = pathname.indexOf('/api/connector/');
      return index < 0 ? null : pathname.slice(index);
    },
    endpoint: (_method, path) => (path.startsWith(PREFIX) ? path.slice(PREFIX.length) : path),
    handle,
    faultResponse(kind, detail) {
      if (kind === 'rateLimit') {
        return mewsError(429, 'Too many requests.', { 'Retry-After': String(detail.retryAfterSeconds) });
      }
      return mewsError(detail.status, 'Unexpected server error. Retry the operation.');
    },
    resetRateLimit: () => window?.reset(),
  };
}
