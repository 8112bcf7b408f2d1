import { type Clock, type Logger, ValidationError } from '@brafa/core';
import type { CallBudget } from '../usage/call-budget.js';
import type { FetchLike } from './http.js';
import type { ScienerTokens, ScienerTokensInput } from './tokens.js';

/** TTLock cloud hosts: `eu` for everyone outside mainland China, `cn` inside it. */
export const SCIENER_HOSTS = {
  eu: 'https://euapi.ttlock.com',
  cn: 'https://cnapi.ttlock.com',
  sciener: 'https://api.sciener.com',
} as const;

export type ScienerRegion = keyof typeof SCIENER_HOSTS;

export interface ScienerClientOptions {
  /** Open-platform application (developer account) credentials. */
  clientId: string;
  clientSecret: string;
  /** TTLock **app** account that administers the locks (not the developer account). */
  username?: string;
  /** App account password; sent only as its MD5. Give this or `passwordMd5`. */
  password?: string;
  /** MD5 of the app account password (32 hex characters), if you store only the hash. */
  passwordMd5?: string;
  /** `eu` (default), `cn`, `sciener`, or a full base URL (a proxy, a fake). */
  host?: ScienerRegion | string;
  /** Tokens persisted earlier; with them no login happens at start. */
  tokens?: ScienerTokensInput;
  /** Called after every login or refresh: persist these (encrypted). */
  onTokens?: (tokens: ScienerTokens) => void | Promise<void>;
  /** Refresh this long before the token expires (default 7 days). */
  refreshMarginMs?: number;
  timeouts?: {
    /** Gateway operations: add, change, delete (default 35 s; TTLock's own limit is 30 s). */
    gatewayMs?: number;
    /** Reads and OAuth (default 15 s). */
    readMs?: number;
  };
  /** HTTP requests in flight at once across all locks (default 8). */
  maxConcurrency?: number;
  /** Monthly call counter; share one between clients of the same developer application. */
  budget?: CallBudget;
  /**
   * Send requests through this `fetch` instead of the built-in keep-alive `node:http(s)`
   * transport: to go through a proxy (an undici `ProxyAgent` dispatcher), or to instrument.
   */
  fetch?: FetchLike;
  clock?: Clock;
  /** Waits between in-client retries (errcode 1, 80000). */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export function resolveBaseUrl(host: string | undefined): string {
  const chosen = host === undefined ? SCIENER_HOSTS.eu : (SCIENER_HOSTS[host as ScienerRegion] ?? host);
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new ValidationError('host', 'expected "eu", "cn", "sciener" or an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError('host', 'expected an http(s) URL');
  }
  // A trailing slash keeps `new URL('v3/…', base)` under any path prefix of a proxy.
  return url.toString().endsWith('/') ? url.toString() : `${url.toString()}/`;
}

export function validateOptions(options: ScienerClientOptions): void {
  if (!options.clientId)
    throw new ValidationError('clientId', 'is required (open-platform application client_id)');
  if (!options.clientSecret) throw new ValidationError('clientSecret', 'is required');
  if (options.passwordMd5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(options.passwordMd5)) {
    throw new ValidationError('passwordMd5', 'must be 32 hexadecimal characters');
  }
  const canLogin = Boolean(options.username && (options.password || options.passwordMd5));
  if (!canLogin && !options.tokens) {
    throw new ValidationError(
      'username',
      'give the TTLock app account (username and password) or stored tokens',
    );
  }
  for (const [field, value] of [
    ['timeouts.gatewayMs', options.timeouts?.gatewayMs],
    ['timeouts.readMs', options.timeouts?.readMs],
    ['refreshMarginMs', options.refreshMarginMs],
  ] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new ValidationError(field, 'must be a non-negative number of milliseconds');
    }
  }
  if (
    options.maxConcurrency !== undefined &&
    (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1)
  ) {
    throw new ValidationError('maxConcurrency', 'must be a positive integer');
  }
}
