import {
  type Clock,
  type Logger,
  parseOrThrow,
  Redactor,
  silentLogger,
  systemClock,
  TransientError,
  ValidationError,
} from '@brafa/core';
import { createFetch } from 'ofetch';
import type { z } from 'zod';
import { isRetryableStatus, parseRetryAfter, readErrorBody, toTypedError } from './errors.js';
import {
  DEFAULT_RATE_LIMIT,
  type RateLimitOptions,
  rateLimiterFor,
  type SlidingWindowLimiter,
} from './rate-limit.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  maxRetries: number;
  /** First backoff delay; doubles each retry (default 500 ms). */
  baseDelayMs: number;
  /** Largest backoff delay (default 30 s). */
  maxDelayMs: number;
  /**
   * Largest server-supplied `Retry-After` we wait for in-process (default 120 s). A longer
   * one fails fast with a TransientError carrying `retryAfterMs`, so the job is rescheduled
   * instead of holding a worker.
   */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  retryAfterCapMs: 120_000,
};

export interface MewsHttpOptions {
  /** `https://api.mews.com`, `https://api.mews-demo.com`, or a sandbox. */
  baseUrl: string;
  clientToken: string;
  accessToken: string;
  /** Name and version of the client application, e.g. `Brafa PMS Sync 1.0.0`. */
  client: string;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); inject a constant for predictable tests. */
  random?: () => number;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
  /** Client-side limit per access token; `false` turns it off (only for tests of other things). */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** Per-request timeout (default 60 s, the reference's advice for heavy reservation pages). */
  timeoutMs?: number;
}

export interface CallOptions {
  /**
   * False for `add` operations: MEWS has no idempotency key, so after a timeout or 5xx the
   * write may have happened. Those are retried only on 429 (refused before processing); the
   * caller re-reads before trying again (reference §9.6).
   */
  idempotent: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * POSTs one Connector API operation: auth fields in the body, client-side rate limit,
 * retries with backoff, typed errors, zod-validated response. Never logs a body: bodies
 * carry the tokens and, for write-back, the PINs.
 */
export class MewsHttp {
  readonly redactor: Redactor;
  private readonly $fetch: ReturnType<typeof createFetch>;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly retry: RetryOptions;
  private readonly limiter: SlidingWindowLimiter | null;
  private readonly timeoutMs: number;
  private readonly baseUrl: string;

  constructor(private readonly options: MewsHttpOptions) {
    for (const key of ['baseUrl', 'clientToken', 'accessToken', 'client'] as const) {
      if (!options[key]) throw new ValidationError(key, 'is required');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.redactor = new Redactor([options.clientToken, options.accessToken]);
    // Resolve globalThis.fetch per call so interceptors installed later (msw) still apply.
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.$fetch = createFetch({ fetch: fetchImpl });
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.limiter =
      options.rateLimit === false
        ? null
        : rateLimiterFor(options.accessToken, { ...DEFAULT_RATE_LIMIT, ...options.rateLimit });
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Register a value (e.g. a PIN being written) that must never appear in an error message. */
  addSecret(value: string): void {
    this.redactor.add(value);
  }

  async post<S extends z.ZodType>(
    operation: string,
    body: Record<string, unknown>,
    schema: S,
    call: CallOptions,
  ): Promise<z.output<S>> {
    const url = `${this.baseUrl}/api/connector/v1/${operation}`;
    const payload = {
      ClientToken: this.options.clientToken,
      AccessToken: this.options.accessToken,
      Client: this.options.client,
      ...body,
    };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(operation, url, payload);
      if (outcome.kind === 'ok') return this.parse(operation, outcome.text, schema, outcome.requestId);
      const error = outcome.error;
      const mayRetry = outcome.retryable && (call.idempotent || outcome.status === 429);
      if (!mayRetry || attempt >= this.retry.maxRetries) throw error;
      const serverWait = error instanceof TransientError ? error.retryAfterMs : undefined;
      if (serverWait !== undefined && serverWait > this.retry.retryAfterCapMs) throw error;
      const wait = serverWait ?? this.backoff(attempt);
      this.logger.warn('MEWS request will be retried', {
        operation,
        status: outcome.status,
        attempt: attempt + 1,
        waitMs: wait,
        requestId: error.requestId,
      });
      await this.sleep(wait);
    }
  }

  /** Exponential backoff with jitter in [50 %, 100 %] of the step, so clients spread out. */
  private backoff(attempt: number): number {
    const step = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return Math.round(step * (0.5 + this.random() / 2));
  }

  private async once(
    operation: string,
    url: string,
    payload: Record<string, unknown>,
  ): Promise<
    | { kind: 'ok'; text: string; requestId: string | null }
    | {
        kind: 'error';
        error: TransientError | ReturnType<typeof toTypedError>;
        retryable: boolean;
        status: number | null;
      }
  > {
    if (this.limiter) await this.limiter.acquire(() => this.clock.now().getTime(), this.sleep);
    let response: Response;
    let text: string;
    try {
      const raw = await this.$fetch.raw<string, 'text'>(url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        responseType: 'text',
        ignoreResponseError: true,
        retry: false,
        timeout: this.timeoutMs,
      });
      response = raw;
      text = typeof raw._data === 'string' ? raw._data : '';
    } catch (cause) {
      // Network failure or timeout: the cause text may contain the URL, never the body.
      const reason = cause instanceof Error ? cause.message : String(cause);
      return {
        kind: 'error',
        error: new TransientError(`MEWS ${operation} request failed: ${this.redactor.text(reason)}`, {
          code: 'network',
        }),
        retryable: true,
        status: null,
      };
    }
    const headerRequestId = response.headers.get('request-id');
    this.logger.debug('MEWS response', { operation, status: response.status, requestId: headerRequestId });
    if (response.status >= 200 && response.status < 300) {
      return { kind: 'ok', text, requestId: headerRequestId };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now().getTime());
    const error = toTypedError(
      {
        operation,
        status: response.status,
        body: readErrorBody(text),
        headerRequestId,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
      this.redactor,
    );
    return { kind: 'error', error, retryable: isRetryableStatus(response.status), status: response.status };
  }

  private parse<S extends z.ZodType>(
    operation: string,
    text: string,
    schema: S,
    requestId: string | null,
  ): z.output<S> {
    // 204 (Prefer: return=minimal) and `{}` both mean "nothing": let the schema's defaults speak.
    let json: unknown = {};
    if (text.trim()) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ValidationError(`MEWS ${operation} response`, 'is not JSON', {
          ...(requestId ? { requestId } : {}),
        });
      }
    }
    return parseOrThrow(schema, json, `MEWS ${operation} response`);
  }
}
