import { jsonResponse } from '../../util/http.js';
import { isoSeconds, parseInstant } from '../../util/time.js';
import type { WorldProperty, WorldReservation } from '../../world/types.js';
import type { VendorContext, VendorRouter } from '../types.js';
import { defaultTbfContract, type TbfContract } from './contract.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** TBF envelope: `success` plus `errors` (an array of strings) when it fails (bookingfactory.md §1). */
function tbfError(status: number, ...errors: string[]): Response {
  return jsonResponse({ success: false, errors }, status);
}

function statusOf(r: WorldReservation): string {
  switch (r.state) {
    case 'Canceled':
      return 'cancelled';
    case 'Started':
      return 'checked_in';
    case 'Processed':
      return 'checked_out';
    case 'Confirmed':
      return 'confirmed';
    default:
      return 'pending';
  }
}

/**
 * The Booking Factory fake over the configurable contract (tbf/contract.ts): list reservations
 * (paged, by stay dates and `updated_since`) and read/write/delete a reservation's keycode.
 */
export function createTbfRouter(
  ctx: VendorContext,
  contract: Partial<TbfContract> = {},
): VendorRouter & { contract: TbfContract } {
  const c: TbfContract = { ...defaultTbfContract, ...contract };
  const keycodeRe = new RegExp(`^${escapeRegExp(c.keycodePath).replace(':id', '([^/]+)')}$`);

  function propertyOf(request: Request): WorldProperty | undefined {
    const raw = request.headers.get(c.authHeader);
    if (raw === null) return undefined;
    const key = c.authScheme ? raw.replace(new RegExp(`^${c.authScheme}\\s+`, 'i'), '') : raw;
    return ctx.world.properties.find((p) => p.tbf && p.tbf.apiKey === key);
  }

  function reservationJson(r: WorldReservation) {
    const guest = ctx.world.guests.find((g) => g.id === r.guestId);
    const keycode = ctx.world.tbf.keycodes.find((k) => k.reservationId === r.id) ?? null;
    const unit =
      r.unitName === null
        ? null
        : ctx.world.units.find((u) => u.propertyId === r.propertyId && u.unitName === r.unitName);
    return {
      id: r.id,
      confirmation_code: r.id,
      status: statusOf(r),
      room_id: unit?.tbf.roomId ?? null,
      room_name: r.unitName,
      room_type: unit?.category ?? null,
      date_from: r.arrival,
      date_to: r.departure,
      check_in_at: isoSeconds(r.startUtc),
      check_out_at: isoSeconds(r.endUtc),
      guest: {
        first_name: guest?.firstName ?? '',
        last_name: guest?.lastName ?? '',
        email: guest?.email ?? '',
        phone: guest?.phone ?? '',
      },
      created_at: isoSeconds(r.createdUtc),
      updated_at: isoSeconds(r.updatedUtc),
      keycode: keycode
        ? { code: keycode.keycode, valid_from: keycode.validFrom, valid_to: keycode.validTo }
        : null,
    };
  }

  function list(property: WorldProperty, url: URL): Response {
    const q = url.searchParams;
    const from = q.get('date_from');
    const to = q.get('date_to');
    if (from !== null && !DATE.test(from)) return tbfError(400, 'date_from must be YYYY-MM-DD');
    if (to !== null && !DATE.test(to)) return tbfError(400, 'date_to must be YYYY-MM-DD');
    const since = q.get('updated_since');
    const sinceDate = since === null ? null : parseInstant(since);
    if (since !== null && !sinceDate) return tbfError(400, 'updated_since must be an ISO 8601 date-time');
    const page = Number(q.get('page') ?? '1');
    const perPage = Number(q.get('per_page') ?? String(c.pageSize));
    if (!Number.isInteger(page) || page < 1) return tbfError(400, 'page must be a positive integer');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > c.maxPageSize) {
      return tbfError(400, `per_page must be between 1 and ${c.maxPageSize}`);
    }
    // Stays colliding with [date_from, date_to): arrival before the end and departure after the start.
    const rows = ctx.world.reservations
      .filter((r) => r.propertyId === property.id)
      .filter((r) => (to === null || r.arrival < to) && (from === null || r.departure > from))
      .filter((r) => sinceDate === null || r.updatedUtc >= sinceDate)
      .sort((a, b) => a.seq - b.seq);
    const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
    return jsonResponse({
      success: true,
      reservations: rows.slice((page - 1) * perPage, page * perPage).map(reservationJson),
      page,
      per_page: perPage,
      total: rows.length,
      total_pages: totalPages,
    });
  }

  async function keycode(property: WorldProperty, request: Request, id: string): Promise<Response> {
    const reservation = ctx.world.reservations.find((r) => r.propertyId === property.id && r.id === id);
    if (!reservation) return tbfError(404, `reservation ${id} not found`);
    const store = ctx.world.tbf;
    const existing = store.keycodes.find((k) => k.reservationId === id);
    if (request.method === 'GET') {
      return jsonResponse({ success: true, keycode: existing ? keycodeJson(existing) : null });
    }
    if (request.method === 'DELETE') {
      // Idempotent: deleting a missing keycode is a success too.
      store.keycodes = store.keycodes.filter((k) => k.reservationId !== id);
      return jsonResponse({ success: true });
    }
    if (request.method !== 'PUT') return tbfError(405, `method ${request.method} not allowed`);
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return tbfError(400, 'body must be JSON');
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof b.keycode !== 'string' || !/^\d{4,12}$/.test(b.keycode))
      return tbfError(422, 'keycode must be 4-12 digits');
    const validFrom = b.valid_from === undefined || b.valid_from === null ? null : parseInstant(b.valid_from);
    const validTo = b.valid_to === undefined || b.valid_to === null ? null : parseInstant(b.valid_to);
    if (b.valid_from != null && !validFrom) return tbfError(422, 'valid_from must be an ISO 8601 date-time');
    if (b.valid_to != null && !validTo) return tbfError(422, 'valid_to must be an ISO 8601 date-time');
    // PUT is an upsert keyed by reservation: repeating it changes nothing (safe after a timeout).
    const record = {
      reservationId: id,
      keycode: b.keycode,
      validFrom: validFrom ? isoSeconds(validFrom) : null,
      validTo: validTo ? isoSeconds(validTo) : null,
      updatedAt: isoSeconds(ctx.clock.now()),
    };
    store.keycodes = [...store.keycodes.filter((k) => k.reservationId !== id), record];
    return jsonResponse({ success: true, keycode: keycodeJson(record) });
  }

  async function handle(request: Request, path: string): Promise<Response> {
    const property = propertyOf(request);
    if (!property) return tbfError(401, 'Authorization Token is invalid');
    const sub = path.slice(c.basePath.length);
    const url = new URL(request.url);
    if (sub === c.listPath && request.method === 'GET') return list(property, url);
    const match = keycodeRe.exec(sub);
    if (match?.[1]) return keycode(property, request, decodeURIComponent(match[1]));
    return tbfError(404, `no route for ${request.method} ${path}`);
  }

  return {
    contract: c,
    relativePath: (pathname) => {
      const index = pathname.indexOf(c.basePath);
      return index < 0 ? null : pathname.slice(index);
    },
    endpoint: (method, path) => {
      const sub = path.slice(c.basePath.length);
      return `${method} ${keycodeRe.test(sub) ? c.keycodePath : sub}`;
    },
    handle,
    faultResponse(kind, detail) {
      if (kind === 'rateLimit') {
        return new Response(JSON.stringify({ success: false, errors: ['Too many requests'] }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'Retry-After': String(detail.retryAfterSeconds) },
        });
      }
      return tbfError(detail.status, 'Internal server error');
    },
  };
}

function keycodeJson(k: {
  keycode: string;
  validFrom: string | null;
  validTo: string | null;
  updatedAt: string;
}) {
  return { code: k.keycode, valid_from: k.validFrom, valid_to: k.validTo, updated_at: k.updatedAt };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
