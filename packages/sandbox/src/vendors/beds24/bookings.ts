import { localDateOf, localInstant } from '@brafa/core';
import { isoSeconds } from '../../util/time.js';
import type {
  Beds24Account,
  Beds24InfoItem,
  Beds24Status,
  ReservationState,
  WorldProperty,
  WorldReservation,
} from '../../world/types.js';
import type { VendorContext } from '../types.js';
import { Beds24Failure } from './errors.js';
import { beds24StatusOf, bookingJson } from './serialize.js';

const statuses: readonly Beds24Status[] = ['confirmed', 'request', 'new', 'cancelled', 'black', 'inquiry'];
const filters = ['arrivals', 'departures', 'new', 'current'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/;

/**
 * Array parameters are repeated (`?id=1&id=2`); a CSV value is rejected like the real server
 * does (beds24.md §3.1, third-party measurement).
 */
function integers(params: URLSearchParams, name: string): number[] | null {
  const values = params.getAll(name);
  if (values.length === 0) return null;
  return values.map((v) => {
    if (!/^\d+$/.test(v))
      throw new Beds24Failure(400, `${name} must be an integer (repeat the parameter for several values)`);
    return Number(v);
  });
}

function bool(params: URLSearchParams, name: string): boolean {
  const v = params.get(name);
  if (v === null) return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Beds24Failure(400, `${name} must be a boolean`);
}

function date(params: URLSearchParams, name: string): string | null {
  const v = params.get(name);
  if (v === null) return null;
  if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
    throw new Beds24Failure(400, `${name} must be a date YYYY-MM-DD`);
  return v;
}

/** `YYYY-MM-DDTHH:MM:SS`; modifiedFrom/To state no zone (beds24.md §3.2.4): read as UTC. */
function dateTime(params: URLSearchParams, name: string): number | null {
  const v = params.get(name);
  if (v === null) return null;
  if (!DATETIME.test(v)) throw new Beds24Failure(400, `${name} must be YYYY-MM-DDTHH:MM:SS`);
  return Date.parse(v.endsWith('Z') ? v : `${v}Z`);
}

export interface BookingsQueryOptions {
  pageSize: number;
}

/** `GET /bookings` (beds24.md §3). */
export function getBookings(
  ctx: VendorContext,
  account: Beds24Account,
  url: URL,
  options: BookingsQueryOptions,
) {
  const q = url.searchParams;
  const filter = q.get('filter');
  if (filter !== null && !(filters as readonly string[]).includes(filter))
    throw new Beds24Failure(400, `filter must be one of ${filters.join(', ')}`);
  const statusParam = q.getAll('status');
  for (const s of statusParam) {
    if (!(statuses as readonly string[]).includes(s))
      throw new Beds24Failure(400, `status must be one of ${statuses.join(', ')}`);
  }
  // Defaults (beds24.md §3.1): cancelled is excluded unless asked for; `filter` narrows further.
  const wanted = new Set<string>(
    statusParam.length > 0
      ? statusParam
      : filter !== null
        ? ['confirmed', 'new', 'request']
        : ['confirmed', 'request', 'new', 'black', 'inquiry'],
  );
  const propertyIds = integers(q, 'propertyId');
  const roomIds = integers(q, 'roomId');
  const ids = integers(q, 'id');
  const masterIds = integers(q, 'masterId');
  const apiReferences = q.getAll('apiReference');
  const arrival = date(q, 'arrival');
  const arrivalFrom = date(q, 'arrivalFrom');
  const arrivalTo = date(q, 'arrivalTo');
  const departure = date(q, 'departure');
  const departureFrom = date(q, 'departureFrom');
  const departureTo = date(q, 'departureTo');
  const bookingTimeFrom = dateTime(q, 'bookingTimeFrom');
  const bookingTimeTo = dateTime(q, 'bookingTimeTo');
  const modifiedFrom = dateTime(q, 'modifiedFrom');
  const modifiedTo = dateTime(q, 'modifiedTo');
  const search = q.get('searchString')?.toLowerCase() ?? null;
  const pageParam = q.get('page') ?? '1';
  if (!/^[1-9]\d*$/.test(pageParam)) throw new Beds24Failure(400, 'page must be a positive integer');
  const page = Number(pageParam);
  const includeInfoItems = bool(q, 'includeInfoItems');
  const includeInvoiceItems = bool(q, 'includeInvoiceItems');
  const includeBookingGroup = bool(q, 'includeBookingGroup');
  bool(q, 'includeGuests');
  const bounded =
    filter !== null ||
    arrival ||
    arrivalFrom ||
    arrivalTo ||
    departure ||
    departureFrom ||
    departureTo ||
    bookingTimeFrom !== null ||
    bookingTimeTo !== null ||
    modifiedFrom !== null ||
    modifiedTo !== null ||
    ids ||
    masterIds ||
    apiReferences.length > 0 ||
    search !== null;
  const now = ctx.clock.now();
  const properties = ctx.world.properties.filter((p) => p.beds24?.account === account.name);
  const personal = account.scopes.includes('read:bookings-personal');

  const rows: Array<{ r: WorldReservation; p: WorldProperty }> = [];
  for (const r of ctx.world.reservations) {
    const p = properties.find((x) => x.id === r.propertyId);
    if (!p?.beds24) continue;
    const unit =
      r.unitName === null
        ? null
        : ctx.world.units.find((u) => u.propertyId === p.id && u.unitName === r.unitName);
    const roomId = unit?.beds24.roomId ?? 0;
    const today = localDateOf(now, p.timezone);
    const status = beds24StatusOf(r);
    const guest = ctx.world.guests.find((g) => g.id === r.guestId);
    const keep =
      wanted.has(status) &&
      (!propertyIds || propertyIds.includes(p.beds24.propertyId)) &&
      (!roomIds || roomIds.includes(roomId)) &&
      (!ids || ids.includes(Number(r.id))) &&
      !masterIds &&
      apiReferences.length === 0 &&
      // "after"/"before" inclusiveness is undocumented (beds24.md §3.1 notes); inclusive here.
      (!arrival || r.arrival === arrival) &&
      (!arrivalFrom || r.arrival >= arrivalFrom) &&
      (!arrivalTo || r.arrival <= arrivalTo) &&
      (!departure || r.departure === departure) &&
      (!departureFrom || r.departure >= departureFrom) &&
      (!departureTo || r.departure <= departureTo) &&
      (bookingTimeFrom === null || r.createdUtc.getTime() >= bookingTimeFrom) &&
      (bookingTimeTo === null || r.createdUtc.getTime() <= bookingTimeTo) &&
      (modifiedFrom === null || r.updatedUtc.getTime() >= modifiedFrom) &&
      (modifiedTo === null || r.updatedUtc.getTime() <= modifiedTo) &&
      (search === null ||
        r.id === search ||
        `${guest?.firstName ?? ''} ${guest?.lastName ?? ''} ${guest?.email ?? ''}`
          .toLowerCase()
          .includes(search)) &&
      (filter !== 'arrivals' || r.arrival === today) &&
      (filter !== 'departures' || r.departure === today) &&
      (filter !== 'new' || r.createdUtc.getTime() >= now.getTime() - 86_400_000) &&
      (filter !== 'current' || (r.arrival <= today && r.departure >= today)) &&
      // "By default only upcoming bookings will be returned" (beds24.md §3.2.1): not yet departed.
      (bounded || r.departure >= today);
    if (keep) rows.push({ r, p });
  }
  rows.sort((a, b) => Number(a.r.id) - Number(b.r.id));
  const start = (page - 1) * options.pageSize;
  const slice = rows.slice(start, start + options.pageSize);
  const nextPageExists = rows.length > start + options.pageSize;
  const next = new URL(url.toString());
  next.searchParams.set('page', String(page + 1));
  return {
    success: true,
    type: 'booking',
    count: slice.length,
    // The spec types nextPageLink as a plain string; it is sent only when there is a next page.
    pages: nextPageExists ? { nextPageExists, nextPageLink: next.toString() } : { nextPageExists },
    data: slice.map(({ r, p }) => {
      const unit =
        r.unitName === null
          ? null
          : (ctx.world.units.find((u) => u.propertyId === p.id && u.unitName === r.unitName) ?? null);
      return bookingJson(
        r,
        p,
        unit,
        unit?.beds24.roomId ?? 0,
        ctx.world.guests.find((g) => g.id === r.guestId),
        {
          personal,
          infoItems: includeInfoItems
            ? ctx.world.beds24.infoItems.filter((i) => i.bookingId === Number(r.id))
            : null,
          invoiceItems: includeInvoiceItems,
          bookingGroup: includeBookingGroup,
        },
      );
    }),
  };
}

interface Message {
  action: string;
  field: string;
  message: string;
}

const stateOf: Record<Beds24Status, ReservationState> = {
  confirmed: 'Confirmed',
  new: 'Confirmed',
  request: 'Requested',
  inquiry: 'Inquired',
  cancelled: 'Canceled',
  black: 'Confirmed',
};

/**
 * `POST /bookings` (beds24.md §5): per-item results in request order. Info items: no `id` → add
 * (always, no upsert); `id` + code/text → modify; `id` only → delete. A failing info item does not
 * undo the others (`success: false` can still mean partly applied).
 */
export function postBookings(ctx: VendorContext, account: Beds24Account, body: unknown) {
  if (!Array.isArray(body)) throw new Beds24Failure(400, 'body must be an array of bookings');
  const properties = ctx.world.properties.filter((p) => p.beds24?.account === account.name);
  return body.map((item: unknown) => {
    const errors: Message[] = [];
    const warnings: Message[] = [];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        success: false,
        errors: [{ action: 'update', field: 'booking', message: 'booking must be an object' }],
      };
    }
    const fields = item as Record<string, unknown>;
    let reservation: WorldReservation | undefined;
    let isNew = false;
    if (fields.id !== undefined) {
      reservation = ctx.world.reservations.find(
        (r) => r.id === String(fields.id) && properties.some((p) => p.id === r.propertyId),
      );
      if (!reservation)
        return {
          success: false,
          errors: [{ action: 'update', field: 'id', message: `booking ${String(fields.id)} not found` }],
        };
    } else {
      const created = createBooking(ctx, properties, fields, errors);
      if (!created) return { success: false, errors };
      reservation = created;
      isNew = true;
    }
    const res = reservation;
    let changed = false;
    const property = ctx.scenario.property(res.propertyId);
    if (!isNew) changed = updateFields(ctx, res, property, fields, errors) || changed;
    const touchedItems: Beds24InfoItem[] = [];
    if (fields.infoItems !== undefined) {
      if (!Array.isArray(fields.infoItems)) {
        errors.push({ action: 'update', field: 'infoItems', message: 'infoItems must be an array' });
      } else {
        for (const raw of fields.infoItems) {
          const result = applyInfoItem(ctx, Number(res.id), raw);
          if ('error' in result) errors.push(result.error);
          else if (result.item) touchedItems.push(result.item);
        }
      }
    }
    for (const key of Object.keys(fields)) {
      if (
        ![
          'id',
          'infoItems',
          'status',
          'arrival',
          'departure',
          'roomId',
          'unitId',
          'firstName',
          'lastName',
          'propertyId',
        ].includes(key)
      ) {
        warnings.push({
          action: isNew ? 'new' : 'update',
          field: key,
          message: 'field ignored by the sandbox',
        });
      }
    }
    if (changed) res.updatedUtc = ctx.clock.now();
    const summary = {
      id: Number(res.id),
      ...(touchedItems.length > 0 ? { infoItems: touchedItems.map((i) => ({ ...i })) } : {}),
    };
    return {
      success: errors.length === 0,
      ...(isNew ? { new: summary } : { modified: summary }),
      ...(errors.length > 0 ? { errors } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  });
}

function applyInfoItem(
  ctx: VendorContext,
  bookingId: number,
  raw: unknown,
): { item: Beds24InfoItem | null } | { error: Message } {
  if (typeof raw !== 'object' || raw === null)
    return { error: { action: 'update', field: 'infoItems', message: 'info item must be an object' } };
  const item = raw as { id?: unknown; code?: unknown; text?: unknown };
  const items = ctx.world.beds24.infoItems;
  if (item.code !== undefined && typeof item.code !== 'string')
    return { error: { action: 'update', field: 'infoItems.code', message: 'code must be a string' } };
  if (item.text !== undefined && typeof item.text !== 'string')
    return { error: { action: 'update', field: 'infoItems.text', message: 'text must be a string' } };
  if (item.id === undefined) {
    // Without an id the item is ALWAYS added, even when the same code exists (beds24.md §5.1).
    if (item.code === undefined || item.code === '')
      return {
        error: { action: 'new', field: 'infoItems.code', message: 'code is required to add an info item' },
      };
    const added: Beds24InfoItem = {
      id: ctx.world.beds24.nextInfoItemId,
      bookingId,
      createTime: isoSeconds(ctx.clock.now()),
      code: item.code,
      text: item.text ?? '',
    };
    ctx.world.beds24.nextInfoItemId += 1;
    items.push(added);
    return { item: added };
  }
  const existing = items.find((i) => i.id === Number(item.id) && i.bookingId === bookingId);
  if (!existing)
    return {
      error: {
        action: 'update',
        field: 'infoItems.id',
        message: `info item ${String(item.id)} not found on booking ${bookingId}`,
      },
    };
  if (item.code === undefined && item.text === undefined) {
    ctx.world.beds24.infoItems = items.filter((i) => i !== existing);
    return { item: null };
  }
  if (item.code !== undefined) existing.code = item.code;
  if (item.text !== undefined) existing.text = item.text;
  return { item: existing };
}

function updateFields(
  ctx: VendorContext,
  res: WorldReservation,
  property: WorldProperty,
  f: Record<string, unknown>,
  errors: Message[],
): boolean {
  let changed = false;
  if (f.status !== undefined) {
    if (!(statuses as readonly unknown[]).includes(f.status)) {
      errors.push({ action: 'update', field: 'status', message: 'invalid status' });
    } else {
      const status = f.status as Beds24Status;
      res.state = stateOf[status];
      res.beds24Status = status === 'new' || status === 'black' ? status : null;
      if (status === 'cancelled') res.cancelledUtc = ctx.clock.now();
      changed = true;
    }
  }
  const arrival = typeof f.arrival === 'string' && DATE.test(f.arrival) ? f.arrival : res.arrival;
  const departure = typeof f.departure === 'string' && DATE.test(f.departure) ? f.departure : res.departure;
  if (arrival !== res.arrival || departure !== res.departure) {
    if (departure < arrival)
      errors.push({ action: 'update', field: 'departure', message: 'departure is before arrival' });
    else {
      res.arrival = arrival;
      res.departure = departure;
      res.startUtc = localInstant(arrival, property.checkInTime, property.timezone);
      res.endUtc = localInstant(departure, property.checkOutTime, property.timezone);
      changed = true;
    }
  }
  if (f.unitId !== undefined || f.roomId !== undefined) {
    const current = ctx.world.units.find(
      (u) => u.propertyId === res.propertyId && u.unitName === res.unitName,
    );
    const roomId = f.roomId !== undefined ? Number(f.roomId) : current?.beds24.roomId;
    const unitId = f.unitId !== undefined ? Number(f.unitId) : current?.beds24.unitId;
    const target = ctx.world.units.find(
      (u) => u.propertyId === res.propertyId && u.beds24.roomId === roomId && u.beds24.unitId === unitId,
    );
    if (!target && unitId !== 0)
      errors.push({ action: 'update', field: 'unitId', message: 'no such room/unit' });
    else {
      res.unitName = target?.unitName ?? null;
      changed = true;
    }
  }
  const guest = ctx.world.guests.find((g) => g.id === res.guestId);
  if (guest && (typeof f.firstName === 'string' || typeof f.lastName === 'string')) {
    if (typeof f.firstName === 'string') guest.firstName = f.firstName;
    if (typeof f.lastName === 'string') guest.lastName = f.lastName;
    guest.updatedUtc = ctx.clock.now();
    changed = true;
  }
  return changed;
}

function createBooking(
  ctx: VendorContext,
  properties: WorldProperty[],
  f: Record<string, unknown>,
  errors: Message[],
): WorldReservation | null {
  const roomId = Number(f.roomId);
  const units = ctx.world.units.filter(
    (u) => u.beds24.roomId === roomId && properties.some((p) => p.id === u.propertyId),
  );
  if (units.length === 0)
    errors.push({
      action: 'new',
      field: 'roomId',
      message: 'roomId is required and must belong to the account',
    });
  if (typeof f.arrival !== 'string' || !DATE.test(f.arrival))
    errors.push({ action: 'new', field: 'arrival', message: 'arrival is required (YYYY-MM-DD)' });
  if (typeof f.departure !== 'string' || !DATE.test(f.departure))
    errors.push({ action: 'new', field: 'departure', message: 'departure is required (YYYY-MM-DD)' });
  const first = units[0];
  if (errors.length > 0 || !first) return null;
  const unit = f.unitId !== undefined ? units.find((u) => u.beds24.unitId === Number(f.unitId)) : first;
  const status = (statuses as readonly unknown[]).includes(f.status)
    ? (f.status as Beds24Status)
    : 'confirmed';
  return ctx.scenario.addReservation(first.propertyId, {
    unit: unit?.unitName ?? null,
    arrival: f.arrival as string,
    departure: f.departure as string,
    guest: {
      firstName: typeof f.firstName === 'string' ? f.firstName : '',
      lastName: typeof f.lastName === 'string' ? f.lastName : 'Guest',
    },
    state: stateOf[status],
    ...(status === 'new' || status === 'black' ? { beds24Status: status } : {}),
  });
}
