import type { Booking } from '../domain/schemas.js';

export interface Interval {
  start: Date;
  end: Date;
}

/** A record the provider could not turn into a booking; stored with its reason, never dropped. */
export interface QuarantinedRecord {
  /** The provider's id of the record when it could be read, else null. */
  recordId: string | null;
  reason: string;
  /** The raw record, JSON-serialisable (the store redacts nothing here: PMS data has no secrets we own). */
  raw: unknown;
}

export interface BookingPage {
  bookings: Booking[];
  quarantined: QuarantinedRecord[];
}

/** A provider unit (a PMS resource or room unit) and the (roomId, unitName) it becomes. */
export interface UnitSource {
  resourceId: string;
  resourceName: string | null;
  roomId: string;
  unitName: string;
}

/** One PMS write per booking: the passcode and window the locks accepted, or a delete. */
export interface WriteBackItem {
  propertyId: string;
  bookingId: string;
  action: 'upsert' | 'delete';
  /**
   * For `upsert`, the digits to write. For `delete`, the digits the stay's doors had last, when
   * known: a write whose reply was lost left no `ref`, and a provider recognises it by them.
   */
  passcode: string | null;
  validFrom: Date | null;
  validTo: Date | null;
  resourceId: string | null;
  roomId: string | null;
  unitName: string | null;
  externalIds: Record<string, string>;
  /** What the provider returned last time (token id, info-item id), if any. */
  ref: string | null;
}

export type WriteBackResult =
  | { bookingId: string; ok: true; ref: string | null }
  | { bookingId: string; ok: false; error: Error };

export interface WebhookRequest {
  propertyId: string;
  method: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** Raw body text; parsers do their own JSON parsing so they can report it malformed. */
  body: string;
}

export type WebhookEvent =
  /** Re-fetch these bookings (ids as the provider knows them), then plan and dispatch. */
  | { type: 'bookings.changed'; bookingIds: string[] }
  /** The provider pushed full bookings (no re-fetch possible). */
  | { type: 'bookings.pushed'; bookings: Booking[]; quarantined: QuarantinedRecord[] }
  /** Units changed: re-sync units and mappings. */
  | { type: 'units.changed' }
  /** Understood but not relevant; acknowledged and logged. */
  | { type: 'ignored'; name: string };

export interface PmsCapabilities {
  webhooks: boolean;
  writeBack: boolean;
  listUnits: boolean;
  modifiedSince: boolean;
  fetchByIds: boolean;
}

/**
 * A property management system, configured for one property. Implementations are thin
 * translations of the vendor's wire format; every rule about what to do lives in core.
 */
export interface PmsProvider {
  readonly kind: string;
  readonly propertyId: string;
  readonly capabilities: PmsCapabilities;
  /** Bookings colliding with the window (cancelled ones included), page by page. */
  fetchBookings(query: { window: Interval; updatedSince?: Date }): AsyncIterable<BookingPage>;
  fetchBookingsByIds?(ids: string[]): Promise<BookingPage>;
  listUnits?(): Promise<UnitSource[]>;
  /** Batched, idempotent upsert/delete; one result per item, in any order. */
  writeBack?(items: WriteBackItem[]): Promise<WriteBackResult[]>;
  /**
   * Authenticate and parse a webhook without I/O. Throws `AuthError` (→ 401) or
   * `ValidationError` (→ 400).
   */
  parseWebhook?(request: WebhookRequest): WebhookEvent[];
}
