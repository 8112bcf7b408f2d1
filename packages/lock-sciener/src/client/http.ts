import { TransientError } from '@brafa/core';
import { type CallContext, httpStatusError, networkError } from '../errors/map.js';

/** The subset of `fetch` the client needs; inject one in tests or behind a proxy. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Path under the base URL, without a leading slash (`v3/keyboardPwd/add`). */
  path: string;
  params: Record<string, string>;
  timeoutMs: number;
  context: CallContext;
  /** A write whose outcome is unknown after a timeout (changes the error message). */
  write: boolean;
}

export type JsonBody = Record<string, unknown>;

/**
 * One HTTP exchange: form-urlencoded POST or query-string GET, a hard timeout, and a JSON
 * object back. HTTP and transport failures become typed errors here; errcodes are the
 * caller's business because they need the token and retry logic.
 */
export async function sendHttp(fetchFn: FetchLike, baseUrl: string, call: HttpCall): Promise<JsonBody> {
  const query = new URLSearchParams(call.params).toString();
  const url = new URL(call.path, baseUrl);
  const init: RequestInit = { method: call.method, signal: AbortSignal.timeout(call.timeoutMs) };
  if (call.method === 'GET') {
    url.search = query;
  } else {
    init.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    init.body = query;
  }
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url.toString(), init);
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // The cause would carry the URL of a GET, whose query holds the token: keep only the kind.
    const reason = timedOut
      ? `timed out after ${call.timeoutMs} ms`
      : `network error (${describeCause(error)})`;
    throw networkError(call.context, reason, call.write);
  }
  if (!response.ok) throw httpStatusError(call.context, response.status);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TransientError(`TTLock ${call.context.operation} answered with a body that is not JSON`, {
      code: 'non_json',
    });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TransientError(`TTLock ${call.context.operation} answered with JSON that is not an object`, {
      code: 'non_json',
    });
  }
  return body as JsonBody;
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : error.name;
  }
  return 'unknown';
}

/** `errcode` of a body: absent or 0 means success (data calls carry no errcode at all). */
export function errcodeOf(body: JsonBody): number {
  const raw = body.errcode;
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? n : 0;
}
