import { HttpResponse, http, type JsonBodyType } from 'msw';
import { DEFAULT_TBF_CONTRACT, type TbfContract } from '../../src/index.js';

/**
 * A stateful fake of the TBF partner API *as the contract describes it*: give it the same
 * contract as the provider and it serves those paths, auth header and field names. It keeps
 * bookings per hotel (raw JSON), keycodes per (booking, room), pages, and one-shot faults.
 */

export interface StoredKeycode {
  body: Record<string, unknown>;
  writes: number;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

interface Fault {
  operation: 'list' | 'write' | 'remove';
  status: number;
  body?: JsonBodyType;
  headers?: Record<string, string>;
}

const get = (value: unknown, path: string): unknown =>
  path === ''
    ? value
    : path
        .split('.')
        .reduce<unknown>(
          (n, k) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined),
          value,
        );

/** `/hotels/{hotelId}/x` → msw's `/hotels/:hotelId/x` */
const route = (template: string) => template.replace(/\{(\w+)\}/g, ':$1');

export class FakeTbf {
  readonly bookings = new Map<string, unknown[]>();
  readonly keycodes = new Map<string, StoredKeycode>();
  readonly requests: RecordedRequest[] = [];
  private faults: Fault[] = [];

  constructor(
    readonly options: { baseUrl?: string; apiKey?: string; pageSize?: number; contract?: TbfContract } = {},
  ) {}

  get baseUrl(): string {
    return this.options.baseUrl ?? 'http://127.0.0.1:4125/partner/v1';
  }

  get apiKey(): string {
    return this.options.apiKey ?? 'tbf-api-key-0123456789';
  }

  private get contract(): TbfContract {
    return this.options.contract ?? DEFAULT_TBF_CONTRACT;
  }

  seed(hotelId: string, bookings: unknown[]): void {
    this.bookings.set(hotelId, structuredClone(bookings));
  }

  update(hotelId: string, id: string, patch: Record<string, unknown>): void {
    const list = this.bookings.get(hotelId) ?? [];
    const index = list.findIndex((b) => String(get(b, this.contract.booking.id)) === id);
    list[index] = { ...(list[index] as object), ...patch };
  }

  keycode(bookingId: string, roomId: string): StoredKeycode | undefined {
    return this.keycodes.get(`${bookingId}/${roomId}`);
  }

  fail(operation: Fault['operation'], status: number, extra: Omit<Fault, 'operation' | 'status'> = {}): void {
    this.faults.push({ operation, status, ...extra });
  }

  private fault(operation: Fault['operation']) {
    const index = this.faults.findIndex((f) => f.operation === operation);
    if (index === -1) return undefined;
    const f = this.faults.splice(index, 1)[0]!;
    return HttpResponse.json(f.body ?? { success: false, errors: ['Injected failure'] }, {
      status: f.status,
      headers: f.headers ?? {},
    });
  }

  private async record(request: Request): Promise<RecordedRequest> {
    const text = request.method === 'GET' ? '' : await request.clone().text();
    const entry = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(entry);
    return entry;
  }

  private authorised(request: Request): boolean {
    const { header, prefix } = this.contract.auth;
    return request.headers.get(header) === `${prefix}${this.apiKey}`;
  }

  private denied() {
    return HttpResponse.json({ success: false, errors: ['Authorization Token is invalid'] }, { status: 401 });
  }

  handlers() {
    const c = this.contract;
    const methodOf = (m: string) =>
      ({ GET: http.get, POST: http.post, PUT: http.put, DELETE: http.delete })[m] ?? http.all;
    const handlers = [
      methodOf(c.listBookings.method)(
        `${this.baseUrl}${route(c.listBookings.path)}`,
        async ({ request, params }) => {
          const rec = await this.record(request);
          if (!this.authorised(request)) return this.denied();
          const fault = this.fault('list');
          if (fault) return fault;
          const q = rec.url.searchParams;
          const from = q.get(c.listBookings.query.from) ?? '';
          const to = q.get(c.listBookings.query.to) ?? '9999-12-31';
          const all = (this.bookings.get(String(params.hotelId)) ?? []).filter((b) => {
            const arrival = String(get(b, c.booking.arrival) ?? '');
            const departure = String(get(b, c.booking.departure) ?? '');
            // Unparseable records are served anyway: the adapter must quarantine them.
            return !arrival.match(/^\d{4}/) || (arrival <= to && departure >= from);
          });
          const size = this.options.pageSize ?? 50;
          const page = Number(q.get(c.listBookings.query.page) ?? '1');
          const items = all.slice((page - 1) * size, page * size);
          const body: Record<string, unknown> = {};
          const put = (path: string, value: unknown) => {
            const keys = path.split('.');
            let node = body;
            for (const k of keys.slice(0, -1)) {
              node[k] ??= {};
              node = node[k] as Record<string, unknown>;
            }
            node[keys[keys.length - 1]!] = value;
          };
          put(c.listBookings.itemsPath, items);
          put(c.listBookings.nextPagePath, page * size < all.length ? page + 1 : null);
          return HttpResponse.json({ success: true, ...body } as JsonBodyType);
        },
      ),
    ];
    if (c.writeKeycode) {
      handlers.push(
        methodOf(c.writeKeycode.method)(
          `${this.baseUrl}${route(c.writeKeycode.path)}`,
          async ({ request, params }) => {
            const rec = await this.record(request);
            if (!this.authorised(request)) return this.denied();
            const fault = this.fault('write');
            if (fault) return fault;
            // A contract path without {hotelId} addresses the booking across hotels.
            const pool = params.hotelId
              ? (this.bookings.get(String(params.hotelId)) ?? [])
              : [...this.bookings.values()].flat();
            const booking = pool.find((b) => String(get(b, c.booking.id)) === String(params.bookingId));
            if (!booking)
              return HttpResponse.json({ success: false, errors: ['Booking not found'] }, { status: 404 });
            if (typeof get(rec.body, c.writeKeycode!.body.code) !== 'string') {
              return HttpResponse.json({ success: false, errors: ['keycode is required'] }, { status: 422 });
            }
            const key = `${params.bookingId}/${params.roomId}`;
            const writes = (this.keycodes.get(key)?.writes ?? 0) + 1;
            this.keycodes.set(key, { body: rec.body as Record<string, unknown>, writes });
            return HttpResponse.json({ success: true });
          },
        ),
      );
    }
    if (c.removeKeycode) {
      handlers.push(
        methodOf(c.removeKeycode.method)(
          `${this.baseUrl}${route(c.removeKeycode.path)}`,
          async ({ request, params }) => {
            await this.record(request);
            if (!this.authorised(request)) return this.denied();
            const fault = this.fault('remove');
            if (fault) return fault;
            const key = `${params.bookingId}/${params.roomId}`;
            if (!this.keycodes.delete(key)) {
              return HttpResponse.json({ success: false, errors: ['Keycode not found'] }, { status: 404 });
            }
            return HttpResponse.json({ success: true });
          },
        ),
      );
    }
    return handlers;
  }
}

/** A reservation in the default contract's shape. */
export function reservation(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    token: `AAA-${String(id).padStart(6, '0')}-W`,
    status: 'confirmed',
    date_from: '2026-06-01',
    date_to: '2026-06-04',
    customer: { first_name: 'Ada', last_name: 'Guest' },
    rooms: [{ id: id * 10 + 1, room_id: 101, room_name: 'Room 101' }],
    ...overrides,
  };
}
