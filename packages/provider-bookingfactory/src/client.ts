import { type Clock, PermanentError, Redactor, systemClock, TransientError } from '@brafa/core';
import { createFetch } from 'ofetch';
import type { TbfContract } from './contract.js';
import { mapFailure } from './errors.js';
import { fillPath, readPath, writePath } from './fields.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TbfClientOptions {
  baseUrl: string;
  /** The hotel's partner API key. Never logged. */
  apiKey: string;
  hotelId: string;
  contract: TbfContract;
  fetch?: FetchLike;
  clock?: Clock;
  timeoutMs?: number;
}

const MAX_PAGES = 10_000;

/** HTTP over the configured contract; it knows no TBF path or field name of its own. */
export class TbfClient {
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  private readonly $fetch: ReturnType<typeof createFetch>;

  constructor(private readonly options: TbfClientOptions) {
    this.redactor = new Redactor([options.apiKey]);
    this.clock = options.clock ?? systemClock;
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.$fetch = createFetch({ fetch: fetchImpl as typeof globalThis.fetch });
  }

  private get contract(): TbfContract {
    return this.options.contract;
  }

  /** Raw booking records of the hotel for a local-date window, all pages. */
  async *listBookings(window: { from: string; to: string }): AsyncIterable<unknown[]> {
    const op = this.contract.listBookings;
    let page: number | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const query: Record<string, string> = { [op.query.from]: window.from, [op.query.to]: window.to };
      if (page !== undefined) query[op.query.page] = String(page);
      const body = await this.request(
        op.method,
        fillPath(op.path, { hotelId: this.options.hotelId }),
        'list bookings',
        {
          query,
        },
      );
      const items = readPath(body, op.itemsPath);
      if (!Array.isArray(items)) {
        throw new PermanentError(`TBF list bookings: expected an array at "${op.itemsPath || '(body)'}"`);
      }
      yield items;
      const next = readPath(body, op.nextPagePath);
      if (typeof next !== 'number' && !(typeof next === 'string' && /^\d+$/.test(next))) return;
      if (Number(next) === page)
        throw new PermanentError('TBF list bookings: next page repeats the current page');
      page = Number(next);
    }
    throw new PermanentError(`TBF list bookings: more than ${MAX_PAGES} pages`);
  }

  /** Upsert the keycode of (booking, room). Idempotent by contract (PUT on a fixed path). */
  async writeKeycode(
    target: { bookingId: string; roomId: string },
    code: string,
    validFrom: Date,
    validTo: Date,
  ) {
    const op = this.contract.writeKeycode;
    if (!op) throw new PermanentError('TBF keycode write-back is disabled by the contract');
    const body: Record<string, unknown> = {};
    writePath(body, op.body.code, code);
    writePath(body, op.body.validFrom, validFrom.toISOString());
    writePath(body, op.body.validTo, validTo.toISOString());
    await this.request(op.method, this.targetPath(op.path, target), 'write keycode', { body });
  }

  /** Remove the keycode; one that is already gone (404) counts as removed. */
  async removeKeycode(target: { bookingId: string; roomId: string }) {
    const op = this.contract.removeKeycode;
    if (!op) throw new PermanentError('TBF keycode removal is disabled by the contract');
    await this.request(op.method, this.targetPath(op.path, target), 'remove keycode', { notFoundOk: true });
  }

  private targetPath(template: string, target: { bookingId: string; roomId: string }): string {
    return fillPath(template, { hotelId: this.options.hotelId, ...target });
  }

  private async request(
    method: string,
    path: string,
    operation: string,
    init: { query?: Record<string, string>; body?: Record<string, unknown>; notFoundOk?: boolean },
  ): Promise<unknown> {
    const { auth } = this.contract;
    let response: Awaited<ReturnType<typeof this.$fetch.raw>>;
    try {
      response = await this.$fetch.raw(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { accept: 'application/json', [auth.header]: `${auth.prefix}${this.options.apiKey}` },
        query: init.query,
        body: init.body,
        timeout: this.options.timeoutMs ?? 30_000,
        retry: false,
        ignoreResponseError: true,
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new TransientError(`TBF ${operation}: network error (${this.redactor.text(reason)})`, { cause });
    }
    const body: unknown = response._data;
    if (response.status === 404 && init.notFoundOk) return body;
    // TBF's public envelopes say `success: false` (Booking API) or `status: false` (ARI) on failure.
    const envelopeFailed =
      body !== null &&
      typeof body === 'object' &&
      ((body as { success?: unknown }).success === false || (body as { status?: unknown }).status === false);
    if (response.status >= 200 && response.status < 300 && !envelopeFailed) return body;
    throw mapFailure({
      operation,
      status: response.status >= 200 && response.status < 300 ? 400 : response.status,
      body,
      headers: response.headers,
      errorsPath: this.contract.errorsPath,
      nowMs: this.clock.now().getTime(),
      redactor: this.redactor,
    });
  }
}
