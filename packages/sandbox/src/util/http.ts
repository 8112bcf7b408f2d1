/** Small HTTP helpers shared by the vendor routers. */

/**
 * A fake's reply as plain data. The loopback server writes it to the socket as is; msw and
 * `Sandbox.handle` get a Fetch API `Response` made from it (`toResponse`). Building a WHATWG
 * `Response` for every reply (its headers object, its body stream) was the largest part of
 * the sandbox's own CPU per request: the fakes share two cores with the SDK under benchmark.
 */
export class SandboxReply {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string,
    /** Sciener's errcode in the body, when non-zero (for the call log; never sent as a header). */
    readonly errcode: number | null = null,
    /** No reply at all: the transport drops the connection (timeout, lost response). */
    readonly dropped = false,
  ) {}
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonReply(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
  errcode: number | null = null,
): SandboxReply {
  return new SandboxReply(status, { 'content-type': JSON_TYPE, ...headers }, JSON.stringify(body), errcode);
}

/** A reply the transport turns into a network failure (socket destroyed / fetch rejects). */
export function droppedReply(): SandboxReply {
  return new SandboxReply(0, {}, '', null, true);
}

/** The Fetch API response for `reply` (what msw hands to the client). */
export function toResponse(reply: SandboxReply): Response {
  if (reply.dropped) return Response.error();
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout-based sleep that ends early (resolves) when the request is aborted. */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The part of `pathname` after `marker` (marker kept), or null when the marker is absent. */
export function pathAfter(pathname: string, marker: string): string | null {
  const index = pathname.indexOf(marker);
  return index < 0 ? null : pathname.slice(index);
}
