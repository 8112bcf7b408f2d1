/**
 * THE BOOKING FACTORY PARTNER CONTRACT — every assumption about TBF's HTTP API lives here.
 *
 * TBF's public APIs (Booking API, Open ARI) cannot list reservations or store a keycode
 * (bookingfactory.md §3). The legacy app used two partner operations whose contract is not
 * public: "list a property's bookings" and "write a keycode for a booking and room". The
 * defaults below are ASSUMPTIONS modelled on TBF's public conventions (a `Token` header
 * carrying the hotel's API key, `date_from`/`date_to` dates, `{ success, errors[] }`
 * envelopes). When TBF supplies the real contract, change this object (or pass overrides to
 * `createBookingFactoryProvider({ contract })`) — no other file knows a TBF path or field.
 *
 * Paths may use `{hotelId}`, `{bookingId}` and `{roomId}`; fields are dotted paths
 * (`customer.first_name`) into the JSON.
 */
export interface TbfContract {
  /** Request authentication: `header: prefix + apiKey`. */
  auth: { header: string; prefix: string };
  listBookings: {
    method: 'GET';
    path: string;
    /** Query parameter names for the window (property-local `YYYY-MM-DD`) and the page. */
    query: { from: string; to: string; page: string };
    /** Where the booking array is in the response (`''` = the body itself is the array). */
    itemsPath: string;
    /** Where the next page number is; null/absent there means "last page". */
    nextPagePath: string;
  };
  /** Upsert of one keycode on (booking, room); null = write-back disabled. Must be idempotent (PUT). */
  writeKeycode: {
    method: 'PUT' | 'POST';
    path: string;
    body: { code: string; validFrom: string; validTo: string };
  } | null;
  /** Removal of that keycode; a 404 counts as already removed. */
  removeKeycode: { method: 'DELETE' | 'POST' | 'PUT'; path: string } | null;
  /** Where the error messages are in a failure body (TBF public API: `errors: string[]`). */
  errorsPath: string;
  booking: {
    id: string;
    /** Confirmation code shown to staff and guests (TBF calls it the booking `token`). */
    reference: string;
    status: string;
    arrival: string;
    departure: string;
    guestFirstName: string;
    guestLastName: string;
    /** Array of room lines; null = the booking itself is its only room line. */
    rooms: string | null;
  };
  room: {
    /** Id of the room line inside the booking (stable across room moves). */
    lineId: string;
    /** The physical room the lock is mapped to. */
    roomId: string;
    roomName: string;
  };
  /** Vendor status values → core status; anything else is `unknown` (no code). */
  statuses: { confirmed: string[]; cancelled: string[] };
  /** Pushed reservations: a secret we issue per property, sent by TBF in this header. */
  webhook: { header: string; prefix: string; itemsPath: string };
}

export const DEFAULT_TBF_CONTRACT: TbfContract = {
  auth: { header: 'Token', prefix: '' },
  listBookings: {
    method: 'GET',
    path: '/hotels/{hotelId}/bookings',
    query: { from: 'date_from', to: 'date_to', page: 'page' },
    itemsPath: 'data',
    nextPagePath: 'meta.next_page',
  },
  writeKeycode: {
    method: 'PUT',
    path: '/hotels/{hotelId}/bookings/{bookingId}/rooms/{roomId}/keycode',
    body: { code: 'keycode', validFrom: 'valid_from', validTo: 'valid_to' },
  },
  removeKeycode: { method: 'DELETE', path: '/hotels/{hotelId}/bookings/{bookingId}/rooms/{roomId}/keycode' },
  errorsPath: 'errors',
  booking: {
    id: 'id',
    reference: 'token',
    status: 'status',
    arrival: 'date_from',
    departure: 'date_to',
    guestFirstName: 'customer.first_name',
    guestLastName: 'customer.last_name',
    rooms: 'rooms',
  },
  room: { lineId: 'id', roomId: 'room_id', roomName: 'room_name' },
  statuses: {
    confirmed: ['confirmed', 'checked_in', 'checked_out'],
    cancelled: ['cancelled', 'canceled', 'no_show'],
  },
  webhook: { header: 'authorization', prefix: 'Bearer ', itemsPath: 'bookings' },
};

/** Partial overrides, one level deep per section (`{ booking: { reference: 'code' } }`). */
export type TbfContractOverrides = {
  [K in keyof TbfContract]?: TbfContract[K] extends object | null
    ? Partial<NonNullable<TbfContract[K]>> | null
    : TbfContract[K];
};

/** The default contract with overrides merged in per section; `null` disables a write operation. */
export function defineTbfContract(overrides: TbfContractOverrides = {}): TbfContract {
  const out = structuredClone(DEFAULT_TBF_CONTRACT) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const base = out[key];
    out[key] =
      value === null || base === null || typeof value !== 'object' || Array.isArray(value)
        ? value
        : { ...(base as object), ...value };
  }
  return out as unknown as TbfContract;
}
