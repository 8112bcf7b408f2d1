import type { Clock } from '@brafa/core';
import type { Scenario } from '../world/scenario.js';
import type { World } from '../world/types.js';

export interface VendorContext {
  world: World;
  scenario: Scenario;
  clock: Clock;
}

/**
 * One vendor's fake. `path` is the vendor-relative path (everything from the vendor's own marker
 * on: `/api/connector/v1/…` for MEWS, `/bookings` for Beds24, `/v3/…` for Sciener), so the same
 * router serves msw (real hosts) and the loopback server (`/mews`, `/beds24`… prefixes).
 */
export interface VendorRouter {
  /** The vendor-relative path of `pathname`, or null when the URL is not this vendor's. */
  relativePath(pathname: string): string | null;
  /** Stable endpoint name for the call log and fault rules. */
  endpoint(method: string, path: string): string;
  handle(request: Request, path: string): Promise<Response>;
  /** Vendor-shaped replies for injected faults. */
  faultResponse(
    kind: 'rateLimit' | 'serverError' | 'errcode',
    detail: { status: number; retryAfterSeconds: number; errcode: number | null },
  ): Response;
}

/** Extra facts a router attaches to a response for the call log (never sent on the wire). */
export const responseMeta = new WeakMap<Response, { errcode: number | null }>();
