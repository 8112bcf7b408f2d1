import { jsonReply, type SandboxReply } from '../../util/http.js';
import { createPrng, deriveSeed, type Prng } from '../../util/prng.js';
import type { Beds24Account } from '../../world/types.js';
import type { SandboxRequest, VendorContext, VendorRouter } from '../types.js';
import { getBookings, postBookings } from './bookings.js';
import { CreditMeter, type CreditOptions } from './credits.js';
import { Beds24Failure, beds24Error } from './errors.js';

export interface Beds24Options {
  /** Bookings per page; undocumented, 100 observed (beds24.md §3.3). */
  pageSize?: number;
  credits?: CreditOptions;
  /** Access-token lifetime in seconds (beds24.md §2.1: 24 h). */
  tokenTtlSeconds?: number;
}

/** Beds24 API V2 fake under `{base}/v2` (beds24.md §1): token auth, bookings, info items, credits. */
export function createBeds24Router(ctx: VendorContext, options: Beds24Options = {}): VendorRouter {
  const credits = new CreditMeter(options.credits);
  const pageSize = options.pageSize ?? 100;
  const ttl = options.tokenTtlSeconds ?? 86_400;
  const prng: Prng = createPrng(deriveSeed(ctx.world.seed, 'beds24'));

  const accountByToken = (token: string | null) =>
    token === null ? undefined : ctx.world.beds24.accounts.find((a) => a.tokens[token] !== undefined);

  function issueToken(account: Beds24Account, now: number): string {
    const token = prng.hex(48);
    account.tokens[token] = now + ttl * 1000;
    return token;
  }

  /** Charge one credit, then run `fn`; 429 when the account's budget is spent (beds24.md §6). */
  function metered(account: Beds24Account, status: number, fn: () => unknown): SandboxReply {
    const now = ctx.clock.now().getTime();
    if (!credits.charge(account, now)) {
      return beds24Error(
        429,
        'Credit limit exceeded, wait for the 5 minute window to reset',
        credits.headers(account, now, 0),
      );
    }
    try {
      return jsonReply(fn(), status, credits.headers(account, now, 1));
    } catch (error) {
      if (error instanceof Beds24Failure)
        return beds24Error(error.status, error.message, credits.headers(account, now, 1));
      throw error;
    }
  }

  async function handle(request: SandboxRequest, path: string): Promise<SandboxReply> {
    const url = new URL(request.url);
    const now = ctx.clock.now().getTime();
    const key = `${request.method} ${path}`;
    if (key === 'GET /authentication/setup') {
      const code = request.headers.get('code');
      const account = ctx.world.beds24.accounts.find((a) => code !== null && a.inviteCode === code);
      if (!account) return beds24Error(400, 'Invalid code');
      return metered(account, 200, () => ({
        token: issueToken(account, now),
        expiresIn: ttl,
        refreshToken: account.refreshToken,
      }));
    }
    if (key === 'GET /authentication/token') {
      // Refresh token (header `refreshToken`) → `{ token, expiresIn }` (beds24.md §2.3 spec schema `token`).
      const refresh = request.headers.get('refreshToken');
      const account = ctx.world.beds24.accounts.find((a) => refresh !== null && a.refreshToken === refresh);
      if (!account) return beds24Error(400, 'Invalid refresh token');
      return metered(account, 200, () => ({ token: issueToken(account, now), expiresIn: ttl }));
    }
    if (key === 'DELETE /authentication/token') {
      const refresh = request.headers.get('refreshToken');
      const account = ctx.world.beds24.accounts.find((a) => refresh !== null && a.refreshToken === refresh);
      if (!account) return beds24Error(400, 'Invalid refresh token');
      return metered(account, 200, () => {
        account.refreshToken = `revoked-${prng.hex(16)}`;
        account.tokens = {};
        return { success: true };
      });
    }
    if (!['GET /authentication/details', 'GET /bookings', 'POST /bookings'].includes(key)) {
      return beds24Error(404, `No route for ${key}`);
    }
    const token = request.headers.get('token');
    const account = accountByToken(token);
    if (!account || token === null)
      return beds24Error(401, token === null ? 'Token is missing' : 'Token is invalid');
    const expiresAt = account.tokens[token] ?? 0;
    if (key === 'GET /authentication/details') {
      return metered(account, 200, () => ({
        validToken: expiresAt > now,
        token: {
          ownerId: 1,
          expiresIn: Math.max(0, Math.floor((expiresAt - now) / 1000)),
          created: null,
          scopes: account.scopes,
          deviceName: 'sandbox',
          linkedProperties: false,
          onlyPropertyId: null,
          whiteListOnly: false,
          whiteList: [],
        },
        diagnostics: { requestIp: '127.0.0.1' },
      }));
    }
    if (expiresAt <= now) return beds24Error(401, 'Token has expired');
    if (key === 'GET /bookings')
      return metered(account, 200, () => getBookings(ctx, account, url, { pageSize }));
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return beds24Error(400, 'Invalid JSON body');
    }
    if (!account.scopes.includes('write:bookings'))
      return beds24Error(401, 'Token has no write access to bookings');
    return metered(account, 201, () => postBookings(ctx, account, body));
  }

  return {
    relativePath: (pathname) => {
      const index = pathname.indexOf('/v2/');
      return index < 0 ? null : pathname.slice(index + 3);
    },
    endpoint: (method, path) => `${method} ${path}`,
    handle,
    faultResponse(kind, detail) {
      if (kind === 'rateLimit') {
        return beds24Error(429, 'Credit limit exceeded', {
          'x-five-min-limit-remaining': '0',
          'x-five-min-limit-resets-in': String(detail.retryAfterSeconds),
          'x-request-cost': '0',
        });
      }
      return beds24Error(detail.status, 'Internal server error');
    },
  };
}
