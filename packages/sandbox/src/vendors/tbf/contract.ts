/**
 * The Booking Factory has no public reservation or keycode API (bookingfactory.md §3); the pull and
 * write-back contract is an assumption (bookingfactory.md §5.3). This mirrors the shape and the
 * defaults of `@brafa/provider-bookingfactory`'s `TbfContract` (src/contract.ts there), so the
 * same overrides configure both the adapter and this fake. Paths use `{hotelId}`, `{bookingId}`,
 * `{roomId}`; fields are dotted paths into the JSON.
 */
export interface TbfContract {
  auth: { header: string; prefix: string };
  listBookings: {
    method: 'GET';
    path: string;
    query: { from: string; to: string; page: string };
    itemsPath: string;
    nextPagePath: string;
  };
  writeKeycode: {
    method: 'PUT' | 'POST';
    path: string;
    body: { code: string; validFrom: string; validTo: string };
  } | null;
  removeKeycode: { method: 'DELETE' | 'POST' | 'PUT'; path: string } | null;
  errorsPath: string;
  booking: {
    id: string;
    reference: string;
    status: string;
    arrival: string;
    departure: string;
    guestFirstName: string;
    guestLastName: string;
    rooms: string | null;
  };
  room: { lineId: string; roomId: string; roomName: string };
  /** Page size of the list (not part of the adapter's contract: the adapter follows `nextPagePath`). */
  pageSize: number;
}

export const defaultTbfContract: TbfContract = {
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
  pageSize: 50,
};

export type TbfContractOverrides = {
  [K in keyof TbfContract]?: TbfContract[K] extends object | null
    ? Partial<NonNullable<TbfContract[K]>> | null
    : TbfContract[K];
};

/** Defaults with per-section overrides, the same merge rule as the adapter's `defineTbfContract`. */
export function defineTbfContract(overrides: TbfContractOverrides = {}): TbfContract {
  const out = structuredClone(defaultTbfContract) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const base = out[key];
    out[key] =
      value === null || base === null || typeof value !== 'object' || Array.isArray(value)
        ? value
        : { ...(base as object), ...value };
  }
  return out as unknown as TbfContract;
}

export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let node = value;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = next && typeof next === 'object' ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last !== undefined) node[last] = value;
}

/** A path template as a regex capturing its `{placeholders}` in order. */
export function templateRegex(template: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (m?.[1]) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { re: new RegExp(`^${source}$`), names };
}
