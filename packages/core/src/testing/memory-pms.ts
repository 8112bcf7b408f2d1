import { timingSafeEqual } from 'node:crypto';
import { type Booking, type BookingInput, bookingSchema } from '../domain/schemas.js';
import { AuthError, TransientError, ValidationError } from '../errors/errors.js';
import type {
  BookingPage,
  Interval,
  PmsCapabilities,
  PmsProvider,
  UnitSource,
  WebhookEvent,
  WebhookRequest,
  WriteBackItem,
  WriteBackResult,
} from '../ports/pms.js';
import { localDateOf } from '../time/access-window.js';

export interface StoredWriteBack {
  ref: string;
  bookingId: string;
  passcode: string;
  validFrom: Date;
  validTo: Date;
}

/**
 * An in-memory PMS for one property: bookings you edit by hand, units, a write-back target
 * that behaves like an idempotent upsert keyed by our ref, and a token-checked webhook.
 */
export class MemoryPms implements PmsProvider {
  readonly kind = 'memory';
  readonly capabilities: PmsCapabilities = {
    webhooks: true,
    writeBack: true,
    listUnits: true,
    modifiedSince: false,
    fetchByIds: true,
  };
  readonly writes: WriteBackItem[][] = [];
  readonly written = new Map<string, StoredWriteBack>();
  private readonly bookings = new Map<string, Booking>();
  private units: UnitSource[] = [];
  private failWriteBack: Error | null = null;
  private loseWriteBackReply = false;
  private nextRef = 1;
  fetchCalls = 0;

  constructor(
    readonly propertyId: string,
    private readonly options: { pageSize?: number; webhookToken?: string; timezone?: string } = {},
  ) {}

  setBookings(bookings: BookingInput[]): void {
    this.bookings.clear();
    for (const b of bookings) this.upsertBooking(b);
  }

  upsertBooking(booking: BookingInput): void {
    const parsed = bookingSchema.parse({ ...booking, propertyId: this.propertyId });
    this.bookings.set(parsed.bookingId, parsed);
  }

  updateBooking(bookingId: string, patch: Partial<BookingInput>): void {
    const before = this.bookings.get(bookingId);
    if (!before) throw new Error(`no booking ${bookingId}`);
    this.upsertBooking({ ...before, ...patch });
  }

  setUnits(units: UnitSource[]): void {
    this.units = units.map((u) => ({ ...u }));
  }

  failNextWriteBack(error: Error = new TransientError('PMS unavailable')): void {
    this.failWriteBack = error;
  }

  /** The next write-back is applied, but its reply is lost: the caller sees a transient error. */
  loseNextWriteBackReply(): void {
    this.loseWriteBackReply = true;
  }

  async *fetchBookings(query: { window: Interval }): AsyncIterable<BookingPage> {
    const zone = this.options.timezone ?? 'UTC';
    const from = localDateOf(query.window.start, zone);
    const to = localDateOf(query.window.end, zone);
    const all = [...this.bookings.values()]
      .filter((b) => b.departureDate >= from && b.arrivalDate <= to)
      .sort((a, b) => a.bookingId.localeCompare(b.bookingId));
    const size = this.options.pageSize ?? 100;
    for (let i = 0; i < all.length || i === 0; i += size) {
      this.fetchCalls++;
      yield { bookings: all.slice(i, i + size).map((b) => structuredClone(b)), quarantined: [] };
      if (all.length === 0) break;
    }
  }

  async fetchBookingsByIds(ids: string[]): Promise<BookingPage> {
    this.fetchCalls++;
    const bookings = ids.flatMap((id) => {
      const b = this.bookings.get(id);
      return b ? [structuredClone(b)] : [];
    });
    return { bookings, quarantined: [] };
  }

  async listUnits(): Promise<UnitSource[]> {
    return this.units.map((u) => ({ ...u }));
  }

  async writeBack(items: WriteBackItem[]): Promise<WriteBackResult[]> {
    this.writes.push(items.map((i) => ({ ...i })));
    if (this.failWriteBack) {
      const error = this.failWriteBack;
      this.failWriteBack = null;
      return items.map((i) => ({ bookingId: i.bookingId, ok: false as const, error }));
    }
    const lost = this.loseWriteBackReply;
    this.loseWriteBackReply = false;
    const applied = items.map((item) => {
      const existing = [...this.written.values()].find((w) => w.bookingId === item.bookingId);
      if (item.action === 'delete') {
        if (existing) this.written.delete(existing.ref);
        return { bookingId: item.bookingId, ok: true as const, ref: null };
      }
      const ref = existing?.ref ?? `wb-${this.nextRef++}`;
      this.written.set(ref, {
        ref,
        bookingId: item.bookingId,
        passcode: item.passcode ?? '',
        validFrom: item.validFrom ?? new Date(0),
        validTo: item.validTo ?? new Date(0),
      });
      return { bookingId: item.bookingId, ok: true as const, ref };
    });
    if (!lost) return applied;
    const error = new TransientError('PMS reply lost (the write was applied)');
    return items.map((i) => ({ bookingId: i.bookingId, ok: false as const, error }));
  }

  /** What the PMS shows for a booking (for assertions). */
  writtenFor(bookingId: string): StoredWriteBack | undefined {
    return [...this.written.values()].find((w) => w.bookingId === bookingId);
  }

  writeCount(): number {
    return this.writes.reduce((n, batch) => n + batch.length, 0);
  }

  parseWebhook(request: WebhookRequest): WebhookEvent[] {
    const expected = this.options.webhookToken ?? '';
    const given = request.query.token ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (!expected || a.length !== b.length || !timingSafeEqual(a, b))
      throw new AuthError('invalid webhook token');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      throw new ValidationError('body', 'malformed JSON');
    }
    const events = (body as { events?: Array<{ type?: string; ids?: string[] }> }).events;
    if (!Array.isArray(events)) throw new ValidationError('events', 'expected an array');
    return events.map((e): WebhookEvent => {
      if (e.type === 'booking.updated' && Array.isArray(e.ids))
        return { type: 'bookings.changed', bookingIds: e.ids.map(String) };
      if (e.type === 'unit.updated') return { type: 'units.changed' };
      return { type: 'ignored', name: String(e.type) };
    });
  }
}
