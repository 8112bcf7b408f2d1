import { http, type RequestHandler } from 'msw';
import { type BaseUrls, defaultBaseUrls } from './base-urls.js';
import type { Sandbox } from './sandbox.js';
import { vendors } from './world/types.js';

/**
 * msw request handlers serving the sandbox at the vendors' real hosts (or `baseUrls`), for
 * `setupServer(...sandboxHandlers(sandbox))` in tests.
 */
export function sandboxHandlers(sandbox: Sandbox, baseUrls: Partial<BaseUrls> = {}): RequestHandler[] {
  const urls: BaseUrls = { ...defaultBaseUrls, ...baseUrls };
  return vendors.flatMap((vendor) => {
    const bases = urls[vendor];
    return (Array.isArray(bases) ? bases : [bases]).map((base) =>
      http.all(`${base.replace(/\/$/, '')}/*`, ({ request }) => sandbox.handle(vendor, request)),
    );
  });
}
