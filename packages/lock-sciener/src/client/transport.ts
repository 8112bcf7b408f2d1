import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { FetchLike } from './http.js';

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  text: string;
}

/** One HTTP exchange. Rejects on network failure; an error named `TimeoutError` after `timeoutMs`. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A caller-supplied `fetch` (a proxy agent, instrumentation, a test double). */
export function fetchTransport(fetchFn: FetchLike): Transport {
  return async ({ method, url, headers, body, timeoutMs }) => {
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) init.body = body;
    const response = await fetchFn(url.toString(), init);
    return { status: response.status, text: await response.text() };
  };
}

/**
 * Idle keep-alive sockets are closed after this long: below the 5 s idle timeout common to
 * HTTP servers, so a request is rarely written to a socket the server is closing.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * The default: `node:http(s)` over keep-alive sockets. Per request it costs about a quarter of
 * the CPU of the global `fetch` (measured 98–181 µs vs 408–637 µs on loopback), which matters
 * when thousands of codes go out at once. Idle sockets do not keep the process alive.
 */
export function nodeTransport(maxSockets: number): Transport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
  };
  return async (request) => {
    try {
      return await exchange(agents, request);
    } catch (error) {
      // Node's documented race: the server closed an idle keep-alive socket just as we reused
      // it. Nothing reached the server, so sending once more on a fresh socket is safe.
      if (error instanceof StaleSocketError) return exchange(agents, request);
      throw error;
    }
  };
}

class StaleSocketError extends Error {}

function exchange(
  agents: Record<'http:' | 'https:', http.Agent>,
  { method, url, headers, body, timeoutMs }: TransportRequest,
): Promise<TransportResponse> {
  const secure = url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  const outgoing: Record<string, string | number> = { ...headers };
  if (body !== undefined) outgoing['content-length'] = Buffer.byteLength(body);
  const target = targetOf(url);
  return new Promise<TransportResponse>((resolve, reject) => {
    let settled = false;
    let responded = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined, value?: TransportResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as TransportResponse);
    };
    const req = send(
      { ...target, method, headers: outgoing, agent: agents[secure ? 'https:' : 'http:'] },
      (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          finish(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => finish(error));
        // A connection lost mid-body emits 'error'; 'close' before the body completed covers any other way it ends early.
        res.on('close', () => {
          if (!res.complete) finish(new Error('response aborted'));
        });
      },
    );
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      finish(error);
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && error.code === 'ECONNRESET' && !responded;
      finish(stale ? Object.assign(new StaleSocketError(error.message), { cause: error }) : error);
    });
    req.end(body);
  });
}

/**
 * Where a URL points, as `http.request` options, worked out once per URL object: the client
 * sends every POST of an endpoint with the same `URL`, and node would otherwise convert it on
 * each request.
 */
const targets = new WeakMap<URL, http.RequestOptions>();
function targetOf(url: URL): http.RequestOptions {
  let target = targets.get(url);
  if (!target) {
    const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
    target = { protocol, hostname, path, ...(port === undefined ? {} : { port }), ...(auth ? { auth } : {}) };
    targets.set(url, target);
  }
  return target;
}
