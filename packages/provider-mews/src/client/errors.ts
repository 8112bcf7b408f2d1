import { AuthError, type BrafaError, PermanentError, type Redactor, TransientError } from '@brafa/core';

/** What MEWS put in an error body (`{ Message, RequestId, Details }`), read defensively. */
export interface MewsErrorBody {
  message: string | null;
  requestId: string | null;
}

export function readErrorBody(text: string): MewsErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const { Message, RequestId } = parsed as { Message?: unknown; RequestId?: unknown };
      return {
        message: typeof Message === 'string' && Message ? Message : null,
        requestId: typeof RequestId === 'string' && RequestId ? RequestId : null,
      };
    }
  } catch {
    // Gateways answer with HTML or nothing; the status alone must then do.
  }
  return { message: null, requestId: null };
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or bad. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Status codes worth retrying with backoff (the request was not applied, or MEWS asks us to). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export interface HttpFailure {
  operation: string;
  status: number;
  body: MewsErrorBody;
  /** `Request-Id` response header, the fallback when the body has no `RequestId`. */
  headerRequestId: string | null;
  retryAfterMs?: number;
}

/**
 * Turn a MEWS error response into core's typed error. MEWS's `Message` is kept (passed
 * through the redactor, in case it echoes a token or PIN) and so is the request id, which
 * MEWS support asks for.
 */
export function toTypedError(failure: HttpFailure, redactor: Redactor): BrafaError {
  const requestId = failure.body.requestId ?? failure.headerRequestId ?? undefined;
  const said = failure.body.message ? redactor.text(failure.body.message) : null;
  const base = `MEWS ${failure.operation} failed with HTTP ${failure.status}`;
  const message = said ? `${base}: ${said}` : base;
  const options = { code: failure.status, ...(requestId ? { requestId } : {}) };
  if (failure.status === 401) return new AuthError(message, options);
  if (isRetryableStatus(failure.status) || failure.status === 409) {
    return new TransientError(message, {
      ...options,
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
    });
  }
  // 403 is a business-rule refusal meant for the property (reference §5.1), not bad
  // credentials; like 400/404/413 a retry of the same request cannot succeed.
  return new PermanentError(message, options);
}
