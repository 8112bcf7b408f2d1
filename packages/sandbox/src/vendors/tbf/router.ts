import { jsonReply, SandboxReply } from '../../util/http.js';
import { isoSeconds, parseInstant } from '../../util/time.js';
import type { WorldProperty, WorldReservation } from '../../world/types.js';
import type { SandboxRequest, VendorContext, VendorRouter } from '../types.js';
import {
  defineTbfContract,
  readPath,
  type TbfContract,
  type TbfContractOverrides,
  templateRegex,
  writePath,
} from './contract.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The fake books one room per reservation; its line id never changes, even on a room move. */
const LINE_ID = '1';

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
 * The Booking Factory fake over the configurable partner contract (tbf/contract.ts): list a
 * hotel's bookings by local dates, page by page, and upsert/remove a keycode per (booking, room).
 */
export function createTbfRouter(
  ctx: VendorContext,
  overrides: TbfContractOverrides = {},
): VendorRouter & { contract: TbfContract } {
  const c = defineTbfContract(overrides);
  const list = templateRegex(c.listBookings.path);
  const write = c.writeKeycode ? templateRegex(c.writeKeycode.path) : null;
  const remove = c.removeKeycode ? templateRegex(c.removeKeycode.path) : null;

  /** TBF envelope: `success: false` plus error strings at the contract's `errorsPath` (bookingfactory.md §1). */
  function fail(status: number, ...errors: string[]): SandboxReply {
    return failWith(status, {}, errors);
  }

  function failWith(status: number, headers: Record<string, string>, errors: string[]): SandboxReply {
    const body: Record<string, unknown> = { success: false };
    writePath(body, c.errorsPath, errors);
    return jsonReply(body, status, headers);
  }

  function authorised(request: SandboxRequest, hotelId: string): WorldProperty | SandboxReply {
    const raw = request.headers.get(c.auth.header);
    const key = raw?.startsWith(c.auth.prefix) ? raw.slice(c.auth.prefix.length) : null;
    const property = ctx.world.properties.find((p) => p.tbf && p.tbf.apiKey === key);
    if (!property) return fail(401, 'Authorization Token is invalid');
    if (property.tbf?.hotelId !== hotelId) return fail(403, `no access to hotel ${hotelId}`);
    return property;
  }

  function bookingJson(r: WorldReservation): Record<string, unknown> {
    const guest = ctx.world.guests.find((g) => g.id === r.guestId);
    const unit =
      r.unitName === null
        ? null
        : ctx.world.units.find((u) => u.propertyId === r.propertyId && u.unitName === r.unitName);
    const out: Record<string, unknown> = {};
    const b = c.booking;
    writePath(out, b.id, r.id);
    writePath(out, b.reference, r.id);
    writePath(out, b.status, statusOf(r));
    writePath(out, b.arrival, r.arrival);
    writePath(out, b.departure, r.departure);
    writePath(out, b.guestFirstName, guest?.firstName ?? '');
    writePath(out, b.guestLastName, guest?.lastName ?? '');
    const line: Record<string, unknown> = {};
    writePath(line, c.room.lineId, LINE_ID);
    writePath(line, c.room.roomId, unit?.tbf.roomId ?? null);
    writePath(line, c.room.roomName, r.unitName);
    if (b.rooms === null) Object.assign(out, line);
    else writePath(out, b.rooms, [line]);
    out.updated_at = isoSeconds(r.updatedUtc);
    return out;
  }

  function listBookings(property: WorldProperty, url: URL): SandboxReply {
    const q = url.searchParams;
    const from = q.get(c.listBookings.query.from);
    const to = q.get(c.listBookings.query.to);
    if (from === null || !DATE.test(from))
      return fail(400, `${c.listBookings.query.from} must be YYYY-MM-DD`);
    if (to === null || !DATE.test(to)) return fail(400, `${c.listBookings.query.to} must be YYYY-MM-DD`);
    const pageRaw = q.get(c.listBookings.query.page) ?? '1';
    if (!/^[1-9]\d*$/.test(pageRaw))
      return fail(400, `${c.listBookings.query.page} must be a positive integer`);
    const page = Number(pageRaw);
    // Stays touching [from, to] (both inclusive, local dates), cancelled ones included.
    const rows = ctx.world.reservations
      .filter((r) => r.propertyId === property.id && r.arrival <= to && r.departure >= from)
      .sort((a, b) => a.seq - b.seq);
    const items = rows.slice((page - 1) * c.pageSize, page * c.pageSize).map(bookingJson);
    const body: Record<string, unknown> = { success: true };
    writePath(body, c.listBookings.itemsPath, items);
    writePath(body, c.listBookings.nextPagePath, rows.length > page * c.pageSize ? page + 1 : null);
    return jsonReply(body);
  }

  function target(
    property: WorldProperty,
    bookingId: string,
    roomId: string,
  ): WorldReservation | SandboxReply {
    const r = ctx.world.reservations.find((x) => x.propertyId === property.id && x.id === bookingId);
    if (!r) return fail(404, `booking ${bookingId} not found`);
    if (!ctx.world.units.some((u) => u.propertyId === property.id && u.tbf.roomId === roomId))
      return fail(404, `room ${roomId} not found`);
    return r;
  }

  async function writeKeycode(
    property: WorldProperty,
    request: SandboxRequest,
    bookingId: string,
    roomId: string,
  ): Promise<SandboxReply> {
    const op = c.writeKeycode;
    if (!op) return fail(404, 'keycode write is disabled');
    const r = target(property, bookingId, roomId);
    if (r instanceof SandboxReply) return r;
    const current = ctx.world.units.find((u) => u.propertyId === property.id && u.unitName === r.unitName)
      ?.tbf.roomId;
    if (current !== roomId) return fail(409, `room ${roomId} is not the room of booking ${bookingId}`);
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return fail(400, 'body must be JSON');
    }
    const code = readPath(body, op.body.code);
    if (typeof code !== 'string' || !/^\d{4,12}$/.test(code))
      return fail(422, `${op.body.code} must be 4-12 digits`);
    const validFrom = parseInstant(readPath(body, op.body.validFrom));
    const validTo = parseInstant(readPath(body, op.body.validTo));
    if (!validFrom) return fail(422, `${op.body.validFrom} must be an ISO 8601 date-time`);
    if (!validTo || validTo <= validFrom)
      return fail(422, `${op.body.validTo} must be an ISO 8601 date-time after ${op.body.validFrom}`);
    // An upsert keyed by (booking, room): repeating it changes nothing, so it is safe after a timeout.
    const record = {
      reservationId: bookingId,
      roomId,
      keycode: code,
      validFrom: isoSeconds(validFrom),
      validTo: isoSeconds(validTo),
      updatedAt: isoSeconds(ctx.clock.now()),
    };
    ctx.world.tbf.keycodes = [
      ...ctx.world.tbf.keycodes.filter((k) => !(k.reservationId === bookingId && k.roomId === roomId)),
      record,
    ];
    return jsonReply({ success: true });
  }

  function removeKeycode(property: WorldProperty, bookingId: string, roomId: string): SandboxReply {
    const r = target(property, bookingId, roomId);
    if (r instanceof SandboxReply) return r;
    const exists = ctx.world.tbf.keycodes.some((k) => k.reservationId === bookingId && k.roomId === roomId);
    if (!exists) return fail(404, 'keycode not found');
    ctx.world.tbf.keycodes = ctx.world.tbf.keycodes.filter(
      (k) => !(k.reservationId === bookingId && k.roomId === roomId),
    );
    return jsonReply({ success: true });
  }

  function match(rx: { re: RegExp; names: string[] } | null, path: string): Record<string, string> | null {
    const m = rx?.re.exec(path);
    if (!rx || !m) return null;
    return Object.fromEntries(rx.names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? '')]));
  }

  /** The contract path inside the mounted base (everything from the first `/hotels/…`-like segment). */
  function contractPath(pathname: string): string | null {
    const first = c.listBookings.path.split('/').filter(Boolean)[0];
    const index = first === undefined ? -1 : pathname.indexOf(`/${first}/`);
    return index < 0 ? null : pathname.slice(index);
  }

  async function handle(request: SandboxRequest, path: string): Promise<SandboxReply> {
    const url = new URL(request.url);
    const listed = request.method === c.listBookings.method ? match(list, path) : null;
    const written = c.writeKeycode && request.method === c.writeKeycode.method ? match(write, path) : null;
    const removed = c.removeKeycode && request.method === c.removeKeycode.method ? match(remove, path) : null;
    const params = listed ?? written ?? removed;
    if (!params) return fail(404, `no route for ${request.method} ${path}`);
    const property = authorised(request, params.hotelId ?? '');
    if (property instanceof SandboxReply) return property;
    if (listed) return listBookings(property, url);
    if (written) return writeKeycode(property, request, params.bookingId ?? '', params.roomId ?? '');
    return removeKeycode(property, params.bookingId ?? '', params.roomId ?? '');
  }

  return {
    contract: c,
    relativePath: contractPath,
    endpoint: (method, path) => {
      if (match(list, path) && method === c.listBookings.method) return `${method} ${c.listBookings.path}`;
      if (c.writeKeycode && method === c.writeKeycode.method && match(write, path))
        return `${method} ${c.writeKeycode.path}`;
      if (c.removeKeycode && method === c.removeKeycode.method && match(remove, path))
        return `${method} ${c.removeKeycode.path}`;
      return `${method} ${path}`;
    },
    handle,
    faultResponse(kind, detail) {
      if (kind === 'rateLimit') {
        return failWith(429, { 'Retry-After': String(detail.retryAfterSeconds) }, ['Too many requests']);
      }
      return fail(detail.status, 'Internal server error');
    },
  };
}
