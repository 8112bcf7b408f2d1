import { HttpResponse, http, type JsonBodyType } from 'msw';

/**
 * A stateful Beds24 V2 fake for msw: tokens, bookings with info items, paging, credits and
 * one-shot faults. It keeps the quirks the adapter must survive: cancelled bookings are left
 * out unless `status` asks for them, an info item without id is always added, array filters
 * must be repeated (a comma list is rejected), and `arrivalTo`/`departureFrom` are exclusive.
 */

export interface FakeInfoItem {
  id: number;
  bookingId: number;
  code: string;
  text: string;
  createTime: string;
}

export interface FakeBooking {
  id: number;
  propertyId: number;
  roomId: number;
  unitId?: number;
  status: string;
  arrival: string;
  departure: string;
  firstName?: string;
  lastName?: string;
  apiReference?: string;
  reference?: string;
  masterId?: number | null;
  modifiedTime?: string;
  infoItems?: FakeInfoItem[];
  [extra: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  body?: JsonBodyType;
  headers?: Record<string, string>;
  /** Apply the request, then answer with the fault (the "response lost" case). */
  afterApply?: boolean;
}

export interface FakeBeds24Options {
  baseUrl?: string;
  refreshToken?: string;
  pageSize?: number;
  expiresIn?: number;
  /** Which credit header names to send: the spec's or the ones the live server sends. */
  creditHeaders?: 'spec' | 'observed';
  credits?: number;
  now?: () => Date;
  roomTypes?: Array<{ id: number; name: string; units: Array<{ id: number; name: string }> }>;
}

const DEFAULT_STATUSES = ['confirmed', 'request', 'new', 'black', 'inquiry'];

export class FakeBeds24 {
  readonly baseUrl: string;
  readonly refreshToken: string;
  readonly bookings = new Map<number, FakeBooking>();
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Map<string, number>();
  refreshCalls = 0;
  creditsRemaining: number;
  creditHeaders: 'spec' | 'observed';
  pageSize: number;
  private nextInfoItemId = 9000;
  private nextToken = 1;
  private faults: Fault[] = [];

  constructor(private readonly options: FakeBeds24Options = {}) {
    this.baseUrl = options.baseUrl ?? 'http://127.0.0.1:4124/api/v2';
    this.refreshToken = options.refreshToken ?? 'refresh-token-0123456789';
    this.pageSize = options.pageSize ?? 100;
    this.creditHeaders = options.creditHeaders ?? 'observed';
    this.creditsRemaining = options.credits ?? 100;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  seed(bookings: FakeBooking[]): void {
    for (const b of bookings) this.bookings.set(b.id, structuredClone({ infoItems: [], ...b }));
  }

  infoItems(bookingId: number, code?: string): FakeInfoItem[] {
    return (this.bookings.get(bookingId)?.infoItems ?? []).filter(
      (i) => code === undefined || i.code === code,
    );
  }

  addInfoItem(bookingId: number, code: string, text: string): FakeInfoItem {
    const item = { id: this.nextInfoItemId++, bookingId, code, text, createTime: this.now().toISOString() };
    this.bookings.get(bookingId)?.infoItems?.push(item);
    return item;
  }

  /** Answer the next matching request with this status (once). */
  fail(
    method: string,
    path: string,
    status: number,
    extra: Omit<Fault, 'method' | 'path' | 'status'> = {},
  ): void {
    this.faults.push({ method, path, status, ...extra });
  }

  clearFaults(): void {
    this.faults = [];
  }

  revokeAccessTokens(): void {
    this.tokens.clear();
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  private creditHeaderValues(): Record<string, string> {
    const remaining = this.creditsRemaining.toFixed(1);
    return this.creditHeaders === 'spec'
      ? {
          'X-FiveMinCreditLimit': '100',
          'X-FiveMinCreditLimit-Remaining': remaining,
          'X-FiveMinCreditLimit-ResetsIn': '120',
          'X-RequestCost': '1',
        }
      : {
          'x-five-min-limit-remaining': remaining,
          'x-five-min-limit-resets-in': '120',
          'x-request-cost': '1',
        };
  }

  private json(body: JsonBodyType, status = 200, headers: Record<string, string> = {}) {
    return HttpResponse.json(body, { status, headers: { ...this.creditHeaderValues(), ...headers } });
  }

  private error(status: number, message: string) {
    return this.json({ success: false, type: 'error', code: status, error: message }, status);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.method === method && f.path === path);
    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }

  private authorised(request: Request): boolean {
    const token = request.headers.get('token');
    const expires = token ? this.tokens.get(token) : undefined;
    return expires !== undefined && expires > this.now().getTime();
  }

  private async record(request: Request, path: string): Promise<RecordedRequest> {
    const body =
      request.method === 'GET'
        ? undefined
        : await request
            .clone()
            .json()
            .catch(() => undefined);
    const entry = { method: request.method, path, url: new URL(request.url), headers: request.headers, body };
    this.requests.push(entry);
    this.creditsRemaining = Math.max(0, this.creditsRemaining - 1);
    return entry;
  }

  handlers() {
    const url = (path: string) => `${this.baseUrl}${path}`;
    return [
      http.get(url('/authentication/token'), async ({ request }) => {
        await this.record(request, '/authentication/token');
        const fault = this.takeFault('GET', '/authentication/token');
        if (fault) return this.json(fault.body ?? { success: false }, fault.status, fault.headers);
        this.refreshCalls++;
        if (request.headers.get('refreshToken') !== this.refreshToken)
          return this.error(400, 'Invalid refresh token');
        const token = `access-${this.nextToken++}-abcdef`;
        const expiresIn = this.options.expiresIn ?? 86400;
        this.tokens.set(token, this.now().getTime() + expiresIn * 1000);
        return this.json({ token, expiresIn });
      }),
      http.get(url('/bookings'), async ({ request }) => {
        const rec = await this.record(request, '/bookings');
        const fault = this.takeFault('GET', '/bookings');
        if (fault) return this.json(fault.body ?? { success: false }, fault.status, fault.headers);
        if (!this.authorised(request)) return this.error(401, 'Token is missing or invalid');
        return this.listBookings(rec.url.searchParams);
      }),
      http.post(url('/bookings'), async ({ request }) => {
        const rec = await this.record(request, '/bookings');
        if (!this.authorised(request)) return this.error(401, 'Token is missing or invalid');
        const fault = this.takeFault('POST', '/bookings');
        if (fault && !fault.afterApply)
          return this.json(fault.body ?? { success: false }, fault.status, fault.headers);
        if (!Array.isArray(rec.body)) return this.error(400, 'Body must be an array');
        const results = rec.body.map((entry) => this.applyWrite(entry as Record<string, unknown>));
        if (fault) return this.json(fault.body ?? { success: false }, fault.status, fault.headers);
        return this.json(results, 201);
      }),
      http.get(url('/properties'), async ({ request }) => {
        const rec = await this.record(request, '/properties');
        if (!this.authorised(request)) return this.error(401, 'Token is missing or invalid');
        const ids = rec.url.searchParams.getAll('id').map(Number);
        return this.json({
          success: true,
          type: 'property',
          count: ids.length,
          pages: { nextPageExists: false, nextPageLink: null },
          data: ids.map((id) => ({ id, name: `Property ${id}`, roomTypes: this.options.roomTypes ?? [] })),
        });
      }),
    ];
  }

  private listBookings(query: URLSearchParams) {
    const list = (name: string) => query.getAll(name);
    for (const name of ['id', 'propertyId', 'status']) {
      if (list(name).some((v) => v.includes(','))) return this.error(400, `Invalid ${name}`);
    }
    const ids = list('id').map(Number);
    const properties = list('propertyId').map(Number);
    const statuses = list('status').length > 0 ? list('status') : DEFAULT_STATUSES;
    const arrivalTo = query.get('arrivalTo');
    const departureFrom = query.get('departureFrom');
    const modifiedFrom = query.get('modifiedFrom');
    const withInfo = query.get('includeInfoItems') === 'true';
    const matching = [...this.bookings.values()]
      .filter((b) => ids.length === 0 || ids.includes(b.id))
      .filter((b) => properties.length === 0 || properties.includes(b.propertyId))
      .filter((b) => statuses.includes(b.status))
      .filter((b) => !arrivalTo || b.arrival < arrivalTo)
      .filter((b) => !departureFrom || b.departure > departureFrom)
      .filter((b) => !modifiedFrom || (b.modifiedTime ?? '') >= modifiedFrom)
      .sort((a, b) => a.id - b.id);
    const page = Number(query.get('page') ?? '1');
    const slice = matching.slice((page - 1) * this.pageSize, page * this.pageSize);
    const next = page * this.pageSize < matching.length;
    return this.json({
      success: true,
      type: 'booking',
      count: slice.length,
      pages: {
        nextPageExists: next,
        nextPageLink: next ? `https://api.beds24.com/v2/bookings?page=${page + 1}` : '',
      },
      data: slice.map((b) => {
        const { infoItems, ...rest } = structuredClone(b);
        return withInfo ? { ...rest, infoItems: infoItems ?? [] } : rest;
      }),
    });
  }

  private applyWrite(entry: Record<string, unknown>) {
    const booking = typeof entry.id === 'number' ? this.bookings.get(entry.id) : undefined;
    if (!booking)
      return { success: false, errors: [{ action: 'update', field: 'id', message: 'Booking not found' }] };
    const errors: Array<{ action: string; field: string; message: string }> = [];
    let added = false;
    let modified = false;
    booking.infoItems ??= [];
    for (const raw of (entry.infoItems as Array<Record<string, unknown>> | undefined) ?? []) {
      const { id, code, text } = raw as { id?: number; code?: string; text?: string };
      if (id === undefined) {
        if (!code) {
          errors.push({ action: 'new', field: 'infoItems', message: 'code is required' });
          continue;
        }
        this.addInfoItem(booking.id, code, text ?? '');
        added = true;
        continue;
      }
      const index = booking.infoItems.findIndex((i) => i.id === id);
      if (index === -1) {
        errors.push({ action: 'modify', field: 'infoItems', message: `Info item ${id} not found` });
        continue;
      }
      if (code === undefined && text === undefined) booking.infoItems.splice(index, 1);
      else {
        const item = booking.infoItems[index]!;
        if (code !== undefined) item.code = code;
        if (text !== undefined) item.text = text;
      }
      modified = true;
    }
    return {
      success: errors.length === 0,
      ...(added ? { new: { field: 'infoItems', subField: [{ field: 'code' }] } } : {}),
      ...(modified ? { modified: { field: 'infoItems', subField: [{ field: 'text' }] } } : {}),
      ...(errors.length ? { errors } : {}),
    };
  }
}
