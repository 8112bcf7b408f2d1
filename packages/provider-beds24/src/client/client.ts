import {
  AuthError,
  type Clock,
  type Logger,
  PermanentError,
  Redactor,
  silentLogger,
  systemClock,
  TransientError,
} from '@brafa/core';
import { createFetch } from 'ofetch';
import type { z } from 'zod';
import { CreditGate, readCredits } from './credits.js';
import { mapFailure } from './errors.js';
import { createLimiter } from './limiter.js';
import { TokenCache } from './token.js';
import {
  type BookingsPage,
  type BookingWrite,
  bookingsPageSchema,
  errorResponseSchema,
  type PostResponse,
  postResponseSchema,
  tokenResponseSchema,
} from './wire.js';

/** `https://beds24.com/api/v2` (wiki); `https://api.beds24.com/v2` also answers (beds24.md §1). */
export const BEDS24_BASE_URL = 'https://beds24.com/api/v2';

export const BEDS24_STATUSES = ['confirmed', 'request', 'new', 'cancelled', 'black', 'inquiry'] as const;
export type Beds24Status = (typeof BEDS24_STATUSES)[number];

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Beds24ClientOptions {
  /** From `GET /authentication/setup` (invite code flow). Never logged. */
  refreshToken: string;
  baseUrl?: string;
  /** Only for registered integration partners (header `organization`). */
  organization?: string;
  fetch?: FetchLike;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Requests in flight per client (default 1: credits are per account). */
  concurrency?: number;
  /** Pause while fewer credits remain (default 5). */
  minCredits?: number;
  /** Longest wait the client sleeps through itself; longer waits fail as transient (default 60 s). */
  maxWaitMs?: number;
  /** Extra attempts for a GET after a transient failure (default 2). POSTs are never retried here. */
  getRetries?: number;
}

export interface BookingQuery {
  propertyId?: number[];
  id?: number[];
  arrivalTo?: string;
  departureFrom?: string;
  /** `YYYY-MM-DDTHH:MM:SS` */
  modifiedFrom?: string;
  status?: readonly Beds24Status[];
  includeInfoItems?: boolean;
}

/** Stop paging after this many pages: a server that always says "next" must not loop forever. */
const MAX_PAGES = 10_000;

type Query = Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined>;

/**
 * Beds24 API V2 client: token refresh, credit throttling, typed errors. Array query
 * parameters are repeated (`status=a&status=b`), never comma-joined (beds24.md §3.1).
 */
export class Beds24Client {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly credits: CreditGate;
  private readonly tokens: TokenCache;
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly $fetch: ReturnType<typeof createFetch>;

  constructor(private readonly options: Beds24ClientOptions) {
    if (!options.refreshToken) throw new AuthError('Beds24 refreshToken is empty');
    this.baseUrl = (options.baseUrl ?? BEDS24_BASE_URL).replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.logger = options.logger ?? silentLogger;
    this.redactor = new Redactor([options.refreshToken]);
    this.credits = new CreditGate({ clock: this.clock, minRemaining: options.minCredits ?? 5 });
    this.tokens = new TokenCache(() => this.refreshAccessToken(), this.clock);
    this.limit = createLimiter(options.concurrency ?? 1);
    // Resolve global fetch per call so test interceptors installed later still apply.
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.$fetch = createFetch({ fetch: fetchImpl as typeof globalThis.fetch });
  }

  /** Credits left in the current 5-minute window, as last reported. */
  get remainingCredits(): number | undefined {
    return this.credits.lastRemaining;
  }

  /** Every page of `GET /bookings` for the query. */
  async *getBookings(query: BookingQuery): AsyncIterable<BookingsPage> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.request('GET', '/bookings', {
        query: {
          propertyId: query.propertyId,
          id: query.id,
          arrivalTo: query.arrivalTo,
          departureFrom: query.departureFrom,
          modifiedFrom: query.modifiedFrom,
          status: query.status,
          includeInfoItems: query.includeInfoItems,
          // The first page is the default; later pages repeat the same filters.
          page: page === 1 ? undefined : page,
        },
      });
      const parsed = this.parse(bookingsPageSchema, body, 'GET /bookings');
      yield parsed;
      if (!parsed.pages?.nextPageExists) return;
    }
    throw new PermanentError(`Beds24 GET /bookings: more than ${MAX_PAGES} pages; narrow the window`);
  }

  /** `POST /bookings` once (no retry: an info item without id would be added twice). */
  async postBookings(writes: BookingWrite[]): Promise<PostResponse> {
    const body = await this.request('POST', '/bookings', { body: writes });
    const parsed = this.parse(postResponseSchema, body, 'POST /bookings');
    if (parsed.length !== writes.length) {
      this.logger.warn('Beds24 POST /bookings answered a different number of items', {
        sent: writes.length,
        received: parsed.length,
      });
    }
    return parsed;
  }

  /** A raw GET for endpoints without a dedicated method (e.g. `/properties`). */
  get(path: string, query: Query = {}): Promise<unknown> {
    return this.request('GET', path, { query });
  }

  private parse<S extends z.ZodType>(schema: S, body: unknown, operation: string): z.output<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.') || 'body';
    throw new PermanentError(`Beds24 ${operation}: unexpected response (${path}: ${issue?.message})`);
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Query; body?: unknown },
  ): Promise<unknown> {
    return this.limit(() => this.attempt(method, path, init));
  }

  private async attempt(method: 'GET' | 'POST', path: string, init: { query?: Query; body?: unknown }) {
    const operation = `${method} ${path}`;
    const retries = method === 'GET' ? (this.options.getRetries ?? 2) : 0;
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      await this.waitForCredits(operation);
      const token = await this.tokens.get();
      const { status, headers, body } = await this.send(operation, {
        method,
        url: `${this.baseUrl}${path}`,
        headers: { token, ...(this.options.organization ? { organization: this.options.organization } : {}) },
        query: init.query,
        body: init.body,
      });
      const failed = status < 200 || status >= 300 || errorResponseSchema.safeParse(body).success;
      if (!failed) return body;
      const error = mapFailure({
        operation,
        status: status >= 200 && status < 300 ? 400 : status,
        body,
        headers,
        nowMs: this.clock.now().getTime(),
        redactor: this.redactor,
      });
      if (error instanceof AuthError && !authRetried) {
        // Refresh once: the access token may have been revoked or expired early.
        authRetried = true;
        this.tokens.invalidate(token);
        attempt--;
        continue;
      }
      if (error instanceof TransientError && status === 429) this.credits.exhausted(error.retryAfterMs ?? 0);
      if (error instanceof TransientError && attempt < retries) {
        const wait = error.retryAfterMs ?? 1000 * 2 ** attempt;
        if (wait <= this.maxWaitMs) {
          this.logger.warn('Beds24 request failed, retrying', { operation, status, waitMs: wait });
          await this.sleep(wait);
          continue;
        }
      }
      throw error;
    }
  }

  private get maxWaitMs(): number {
    return this.options.maxWaitMs ?? 60_000;
  }

  /** Sleep through a short credit shortage; fail fast (transient) on a long one. */
  private async waitForCredits(operation: string): Promise<void> {
    const wait = this.credits.waitMs();
    if (wait <= 0) return;
    if (wait > this.maxWaitMs) {
      throw new TransientError(`Beds24 ${operation}: credit limit nearly spent; window resets later`, {
        code: 429,
        retryAfterMs: wait,
      });
    }
    this.logger.info('Beds24 credits low, waiting for the window to reset', {
      remaining: this.credits.lastRemaining,
      waitMs: wait,
    });
    await this.sleep(wait);
  }

  private async refreshAccessToken(): Promise<{ token: string; expiresInMs: number }> {
    const operation = 'GET /authentication/token';
    const { status, headers, body } = await this.send(operation, {
      method: 'GET',
      url: `${this.baseUrl}/authentication/token`,
      headers: { refreshToken: this.options.refreshToken },
    });
    const parsed = tokenResponseSchema.safeParse(body);
    if (status >= 200 && status < 300 && parsed.success) {
      this.redactor.add(parsed.data.token);
      this.logger.debug('Beds24 access token refreshed', { expiresIn: parsed.data.expiresIn });
      return { token: parsed.data.token, expiresInMs: parsed.data.expiresIn * 1000 };
    }
    const error = mapFailure({
      operation,
      status: status >= 200 && status < 300 ? 400 : status,
      body,
      headers,
      nowMs: this.clock.now().getTime(),
      redactor: this.redactor,
    });
    // Any 4xx here means the refresh token itself was refused: only a new invite code helps.
    if (error instanceof PermanentError) {
      throw new AuthError(`${error.message} (refresh token rejected: generate a new invite code)`, {
        code: error.code ?? status,
      });
    }
    throw error;
  }

  private async send(
    operation: string,
    request: { method: string; url: string; headers: Record<string, string>; query?: Query; body?: unknown },
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    try {
      const response = await this.$fetch.raw(request.url, {
        method: request.method,
        headers: { accept: 'application/json', ...request.headers },
        query: request.query,
        body: request.body as Record<string, unknown> | undefined,
        timeout: this.options.timeoutMs ?? 30_000,
        retry: false,
        ignoreResponseError: true,
      });
      this.credits.record(readCredits(response.headers));
      this.logger.debug('Beds24 request', {
        operation,
        status: response.status,
        remainingCredits: this.credits.lastRemaining,
      });
      return { status: response.status, headers: response.headers, body: response._data };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new TransientError(`Beds24 ${operation}: network error (${this.redactor.text(reason)})`, {
        cause,
      });
    }
  }
}
