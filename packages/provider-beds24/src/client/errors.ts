import { AuthError, PermanentError, type Redactor, TransientError } from '@brafa/core';
import { readCredits } from './credits.js';

/** Used when a 429 says neither `Retry-After` nor when the credit window resets. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `nowMs`. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The vendor's own message from an `UnsuccessfulApiResponse`, if the body is one. */
export function vendorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'string' && error.trim()) return error.trim();
  }
  if (typeof body === 'string' && body.trim() && body.length < 300) return body.trim();
  return undefined;
}

/** Beds24 does not document its auth status codes; an error that talks about the token is one. */
export function looksLikeAuthFailure(status: number, message: string | undefined): boolean {
  return status === 401 || status === 403 || (message !== undefined && /token/i.test(message));
}

export interface FailureContext {
  /** e.g. `GET /bookings` */
  operation: string;
  status: number;
  body: unknown;
  headers: Headers;
  nowMs: number;
  redactor: Redactor;
}

/**
 * An HTTP failure as one of core's typed errors (beds24.md §6.1): 429 and 5xx are transient
 * (with the server's wait), auth failures are `AuthError`, every other 4xx and a
 * `success:false` body are permanent with Beds24's message. Messages pass the redactor so
 * a token the server echoes never leaves this function.
 */
export function mapFailure(ctx: FailureContext): Error {
  const message = vendorMessage(ctx.body);
  const detail = ctx.redactor.text(message ? `: ${message}` : '');
  const prefix = `Beds24 ${ctx.operation} failed with HTTP ${ctx.status}`;
  if (ctx.status === 429) {
    const credits = readCredits(ctx.headers);
    const wait = retryAfterMs(ctx.headers, ctx.nowMs) ?? credits.resetsInMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    return new TransientError(`${prefix} (credit limit reached)${detail}`, { code: 429, retryAfterMs: wait });
  }
  if (ctx.status >= 500 || ctx.status === 408) {
    const wait = retryAfterMs(ctx.headers, ctx.nowMs);
    return new TransientError(`${prefix}${detail}`, {
      code: ctx.status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (looksLikeAuthFailure(ctx.status, message)) {
    return new AuthError(
      `${prefix}${detail} (the refresh token may be revoked: generate a new invite code)`,
      {
        code: ctx.status,
      },
    );
  }
  return new PermanentError(`${prefix}${detail}`, { code: ctx.status });
}
