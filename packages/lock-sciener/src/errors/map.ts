import { AuthError, CapacityError, DuplicateCodeError, PermanentError, TransientError } from '@brafa/core';
import { ERRCODE, errcodeInfo } from './codes.js';

/** Where a failure happened, for the message: never tokens or passcodes. */
export interface CallContext {
  /** API path without the host, e.g. `v3/keyboardPwd/add`. */
  operation: string;
  lockId?: string;
  /** Cuts secrets and passcodes out of TTLock's errmsg before it reaches a message. */
  redact?: (text: string) => string;
}

function where(context: CallContext): string {
  return context.lockId === undefined
    ? `TTLock ${context.operation}`
    : `TTLock ${context.operation} on lock ${context.lockId}`;
}

/** A bounded, printable copy of the vendor's message (it is TTLock's text, not ours). */
function cleanErrmsg(errmsg: unknown, redact: (text: string) => string = (t) => t): string {
  if (typeof errmsg !== 'string' || errmsg === '') return 'no message';
  return redact(errmsg.replace(/\s+/g, ' ')).slice(0, 200);
}

/**
 * Turns a non-zero errcode into core's typed error. `errcode` becomes the error's `code`; the
 * message names the operation, the lock, TTLock's errmsg and what to do. `gone` (-2009)
 * becomes a PermanentError with that code: only the delete path treats it as success.
 */
export function errcodeError(
  errcode: number,
  errmsg: unknown,
  context: CallContext,
  extra: { retryAfterMs?: number; note?: string } = {},
): Error {
  const info = errcodeInfo(errcode);
  const text = `${where(context)} failed: errcode ${errcode} "${cleanErrmsg(errmsg, context.redact)}" — ${info.hint}${
    extra.note ? `; ${extra.note}` : ''
  }`;
  const options = { code: errcode };
  switch (info.class) {
    case 'transient':
    case 'transient-once':
    case 'quota-rate':
    case 'quota-month': {
      const retryAfterMs = extra.retryAfterMs ?? info.retryAfterMs;
      return new TransientError(text, retryAfterMs === undefined ? options : { ...options, retryAfterMs });
    }
    case 'duplicate':
      return new DuplicateCodeError(text, options);
    case 'full':
      return new CapacityError(text, options);
    case 'auth-refresh':
    case 'auth-fatal':
      return new AuthError(text, options);
    default:
      return new PermanentError(text, options);
  }
}

/** Network failure or timeout: for a write the outcome is unknown, so the message says so. */
export function networkError(
  context: CallContext,
  reason: string,
  write: boolean,
  cause?: unknown,
): TransientError {
  const outcome = write ? ' (outcome unknown: the lock may have applied it)' : '';
  return new TransientError(`${where(context)} ${reason}${outcome}`, {
    code: 'network',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function httpStatusError(context: CallContext, status: number): Error {
  const text = `${where(context)} failed: HTTP ${status}`;
  if (status >= 500 || status === 429 || status === 408)
    return new TransientError(text, { code: `http_${status}` });
  if (status === 401 || status === 403) return new AuthError(text, { code: `http_${status}` });
  return new PermanentError(text, { code: `http_${status}` });
}

export function isErrcode(error: unknown, errcode: number): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === errcode;
}

export function isAuthRefreshable(error: unknown): boolean {
  return isErrcode(error, ERRCODE.tokenInvalid) || isErrcode(error, ERRCODE.tokenMissing);
}
