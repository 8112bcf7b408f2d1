import { TransientError } from '@brafa/core';
import { type CallContext, httpStatusError, networkError } from '../errors/map.js';
import type { Transport } from './transport.js';

/** The subset of `fetch` the client needs; inject one behind a proxy or to instrument calls. */
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
export async function sendHttp(transport: Transport, baseUrl: string, call: HttpCall): Promise<JsonBody> {
  const query = new URLSearchParams(call.params).toString();
  let url: URL;
  let headers: Record<string, string> = {};
  let body: string | undefined;
  if (call.method === 'GET') {
    url = new URL(call.path, baseUrl);
    url.search = query;
  } else {
    url = endpointUrl(baseUrl, call.path);
    headers = FORM_HEADERS;
    body = query;
  }
  let response: { status: number; text: string };
  try {
    response = await transport({
      method: call.method,
      url,
      headers,
      timeoutMs: call.timeoutMs,
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // The cause would carry the URL of a GET, whose query holds the token: keep only the kind.
    const reason = timedOut
      ? `timed out after ${call.timeoutMs} ms`
      : `network error (${describeCause(error)})`;
    throw networkError(call.context, reason, call.write);
  }
  if (response.status < 200 || response.status > 299) throw httpStatusError(call.context, response.status);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    throw new TransientError(`TTLock ${call.context.operation} answered with a body that is not JSON`, {
      code: 'non_json',
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TransientError(`TTLock ${call.context.operation} answered with JSON that is not an object`, {
      code: 'non_json',
    });
  }
  return parsed as JsonBody;
}

const FORM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/x-www-form-urlencoded',
});

/**
 * One `URL` per endpoint, shared by every POST to it (never modified: a GET, whose query
 * differs per call, gets its own). Parsing it again for each of thousands of passcode
 * operations, and converting it again in the transport, was measurable CPU per request.
 */
const endpoints = new Map<string, URL>();
function endpointUrl(baseUrl: string, path: string): URL {
  const key = `${baseUrl}\u0000${path}`;
  let url = endpoints.get(key);
  if (!url) {
    url = new URL(path, baseUrl);
    endpoints.set(key, url);
  }
  return url;
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    // fetch wraps the socket error in `cause`; node:http throws it directly.
    const code = (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
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
