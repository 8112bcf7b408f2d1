import { AuthError, PermanentError, type Redactor, TransientError } from '@brafa/core';
import { readPath } from './fields.js';

export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** TBF's messages from `errors` (strings, or objects with `message`). */
export function messagesOf(body: unknown, errorsPath: string): string | undefined {
  const errors = readPath(body, errorsPath);
  const list = Array.isArray(errors) ? errors : typeof errors === 'string' ? [errors] : [];
  const text = list
    .map((e) =>
      typeof e === 'string'
        ? e
        : e && typeof e === 'object'
          ? String((e as { message?: unknown }).message ?? '')
          : '',
    )
    .filter(Boolean)
    .join('; ');
  return text || undefined;
}

/** An HTTP failure as core's typed errors: 401/403 auth, 429/5xx transient, other 4xx permanent. */
export function mapFailure(ctx: {
  operation: string;
  status: number;
  body: unknown;
  headers: Headers;
  errorsPath: string;
  nowMs: number;
  redactor: Redactor;
}): Error {
  const message = messagesOf(ctx.body, ctx.errorsPath);
  const text = ctx.redactor.text(
    `TBF ${ctx.operation} failed with HTTP ${ctx.status}${message ? `: ${message}` : ''}`,
  );
  if (ctx.status === 429 || ctx.status === 408 || ctx.status >= 500) {
    const wait = retryAfterMs(ctx.headers, ctx.nowMs);
    return new TransientError(text, {
      code: ctx.status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (ctx.status === 401 || ctx.status === 403)
    return new AuthError(`${text} (check the API key)`, { code: ctx.status });
  return new PermanentError(text, { code: ctx.status });
}
