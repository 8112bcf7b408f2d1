/**
 * Typed errors that cross a port. Adapters map vendor failures into these; the engine decides
 * what to do from the type alone (retry, stop, adopt, re-authenticate), never from vendor codes.
 */

export interface BrafaErrorOptions {
  /** Vendor code or status, kept for operators (never a secret). */
  code?: string | number;
  /** Vendor request id, useful when talking to the vendor's support. */
  requestId?: string;
  cause?: unknown;
}

export class BrafaError extends Error {
  readonly code: string | number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: BrafaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.requestId = options.requestId;
  }
}

/** Worth retrying later: network failure, timeout, rate limit, busy gateway. */
export class TransientError extends BrafaError {
  /** Server-supplied wait in milliseconds (e.g. `Retry-After`); the engine caps it. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: BrafaErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retrying will not help: bad request, missing lock, quota exhausted for good. */
export class PermanentError extends BrafaError {}

/**
 * The lock has no room for another code. The planner never plans more codes than a lock holds,
 * so this happens when codes the SDK does not know about fill it, or when the code making room
 * is still on its way off (another job or worker). Its job tries once more after the backoff;
 * then the code fails, and the planner gives it a fresh try after `failedRetryMs`, like an
 * outage: codes come off as stays end.
 */
export class CapacityError extends PermanentError {}

/** Credentials were rejected after the adapter already tried to refresh them once. */
export class AuthError extends BrafaError {}

/** The lock already holds a code with these digits (it may or may not be ours). */
export class DuplicateCodeError extends BrafaError {}

/** Configuration or input that does not match its schema; the message names the field. */
export class ValidationError extends BrafaError {
  readonly path: string;

  constructor(path: string, message: string, options: BrafaErrorOptions = {}) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

export function isTransient(error: unknown): error is TransientError {
  return error instanceof TransientError;
}

/** A short, secret-free description of any thrown value, for job rows and events. */
export function describeError(error: unknown): string {
  if (error instanceof BrafaError) {
    const parts = [`${error.name}: ${error.message}`];
    if (error.code !== undefined) parts.push(`code=${error.code}`);
    if (error.requestId) parts.push(`requestId=${error.requestId}`);
    return parts.join(' ');
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
