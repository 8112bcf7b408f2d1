import type { Clock } from '@brafa/core';
import type { SandboxReply } from '../util/http.js';
import type { Scenario } from '../world/scenario.js';
import type { World } from '../world/types.js';

export interface VendorContext {
  world: World;
  scenario: Scenario;
  clock: Clock;
}

/**
 * What the fakes read of a request. A Fetch API `Request` is one (msw hands those over); the
 * loopback server builds a lighter one per request (see `server.ts`): constructing a WHATWG
 * `Request` and reading its body through web streams was a third of the sandbox's CPU.
 */
export interface SandboxRequest {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Aborted when the client goes away (simulated waits end early). */
  readonly signal: AbortSignal;
  text(): Promise<string>;
  /** A copy whose body can be read again (for code that wraps `Sandbox.reply` and peeks). */
  clone(): SandboxRequest;
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
  handle(request: SandboxRequest, path: string): Promise<SandboxReply>;
  /** Vendor-shaped replies for injected faults. */
  faultResponse(
    kind: 'rateLimit' | 'serverError' | 'errcode',
    detail: { status: number; retryAfterSeconds: number; errcode: number | null },
  ): SandboxReply;
}
