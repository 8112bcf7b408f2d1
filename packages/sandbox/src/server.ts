import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlReply } from './control.js';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
import { jsonReply } from './util/http.js';
import type { SandboxRequest } from './vendors/types.js';
import type { Vendor } from './world/types.js';

export interface StartSandboxOptions extends SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** Serve an existing sandbox (e.g. the one your msw handlers use) instead of building one. */
  sandbox?: Sandbox;
}

export interface RunningSandbox {
  sandbox: Sandbox;
  url: string;
  /** MEWS PlatformAddress: append `/api/connector/v1/...`. */
  mewsUrl: string;
  /** Beds24 base: append `/bookings`, `/authentication/token`. */
  beds24Url: string;
  /** TBF origin: append the contract's base path. */
  tbfUrl: string;
  /** TTLock host: append `/oauth2/token`, `/v3/...`. */
  scienerUrl: string;
  /** `/_sandbox/state` and friends. */
  controlUrl: string;
  close(): Promise<void>;
}

const mounts: Array<[string, Vendor]> = [
  ['/mews/', 'mews'],
  ['/beds24/', 'beds24'],
  ['/tbf/', 'tbf'],
  ['/sciener/', 'sciener'],
];

/** A real HTTP server on a loopback address serving every fake, for out-of-process clients. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = options.sandbox ?? createSandbox(options);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    serve(sandbox, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `sandbox server error: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    sandbox,
    url,
    mewsUrl: `${url}/mews`,
    beds24Url: `${url}/beds24/v2`,
    tbfUrl: `${url}/tbf`,
    scienerUrl: `${url}/sciener`,
    controlUrl: `${url}/_sandbox`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function serve(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await toRequest(req, res);
  const pathname = new URL(request.url).pathname;
  const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
  const reply = mount
    ? await sandbox.reply(mount[1], request)
    : pathname.startsWith('/_sandbox/')
      ? await controlReply(sandbox, request, pathname)
      : jsonReply({ error: `no sandbox route ${pathname}` }, 404);
  // A simulated timeout or lost response drops the connection, as a dead server would.
  if (reply.dropped) {
    req.socket.destroy();
    return;
  }
  // With its length, the client reads the body without chunked framing.
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}

/** The request as the fakes read it (`SandboxRequest`), without building a WHATWG `Request`. */
async function toRequest(req: IncomingMessage, res: ServerResponse): Promise<SandboxRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const method = req.method ?? 'GET';
  const body = method !== 'GET' && method !== 'HEAD' ? Buffer.concat(chunks).toString('utf8') : '';
  // Aborted when the client goes away, so simulated waits end early; made on first use.
  let controller: AbortController | undefined;
  let gone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    gone = true;
    controller?.abort();
  });
  const request: SandboxRequest = {
    method,
    url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : value;
      },
    },
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (gone) controller.abort();
      }
      return controller.signal;
    },
    // The body is a string already: it can be read any number of times, so a copy is itself.
    text: async () => body,
    clone: () => request,
  };
  return request;
}
