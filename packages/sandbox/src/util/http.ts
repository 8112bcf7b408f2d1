/** Small Fetch API helpers shared by the vendor routers. */

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const response = new Response(text, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
  responseText.set(response, text);
  return response;
}

/**
 * The body a response was made from, so the loopback server writes it as is instead of
 * reading it back through the response's web stream (msw reads the stream as usual).
 */
export const responseText = new WeakMap<Response, string>();

/** A response that the transport turns into a network failure (socket destroyed / fetch rejects). */
export function networkError(): Response {
  return Response.error();
}

export function isNetworkError(response: Response): boolean {
  return response.type === 'error';
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
