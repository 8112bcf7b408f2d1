import {
  addDays,
  type BookingPage,
  type Interval,
  localDateOf,
  type PmsCapabilities,
  type PmsProvider,
  silentLogger,
  ValidationError,
  type WebhookEvent,
  type WebhookRequest,
  type WriteBackItem,
  type WriteBackResult,
} from '@brafa/core';
import { BEDS24_BASE_URL, BEDS24_STATUSES, Beds24Client, type BookingQuery } from '../client/client.js';
import type { BookingsPage } from '../client/wire.js';
import { mapBooking } from './mapping.js';
import { type Beds24ProviderOptions, DEFAULT_INFO_ITEM_CODE, RESERVED_INFO_CODES } from './options.js';
import { listBeds24Units } from './units.js';
import { parseBeds24Webhook } from './webhook.js';
import { writeBackInfoItems } from './write-back.js';

/** GoDo publishes no API of its own; it appears to run on Beds24 (beds24.md §10). */
export const GODO_BASE_URL = BEDS24_BASE_URL;

/** `modifiedFrom` has no documented zone: poll with a day of overlap (beds24.md §3.2). */
const MODIFIED_OVERLAP_MS = 24 * 60 * 60_000;

function validate(options: Beds24ProviderOptions): void {
  if (!options.propertyId) throw new ValidationError('propertyId', 'must not be empty');
  if (!Number.isSafeInteger(options.beds24PropertyId) || options.beds24PropertyId <= 0) {
    throw new ValidationError('beds24PropertyId', 'expected a positive integer');
  }
  if (!localDateOf(new Date(0), options.timezone))
    throw new ValidationError('timezone', 'not a valid IANA time zone');
  if (!options.refreshToken) throw new ValidationError('refreshToken', 'must not be empty');
  const code = options.infoItemCode ?? DEFAULT_INFO_ITEM_CODE;
  if (!code.trim()) throw new ValidationError('infoItemCode', 'must not be empty');
  if (RESERVED_INFO_CODES.includes(code.toUpperCase())) {
    throw new ValidationError('infoItemCode', `${code} belongs to a native Beds24 lock integration`);
  }
}

function modifiedFrom(since: Date): string {
  return new Date(since.getTime() - MODIFIED_OVERLAP_MS).toISOString().slice(0, 19);
}

function toPage(
  page: BookingsPage,
  options: Beds24ProviderOptions,
  window?: { from: string; to: string },
): BookingPage {
  const out: BookingPage = { bookings: [], quarantined: [] };
  for (const raw of page.data) {
    const mapped = mapBooking(raw, {
      propertyId: options.propertyId,
      beds24PropertyId: options.beds24PropertyId,
      requestIsConfirmed: options.requestIsConfirmed ?? false,
    });
    if (!mapped.ok) {
      out.quarantined.push(mapped.quarantined);
      continue;
    }
    const b = mapped.booking;
    // The query is widened by a day (inclusiveness is undocumented); keep only real overlaps.
    if (window && (b.departureDate < window.from || b.arrivalDate > window.to)) continue;
    out.bookings.push(b);
  }
  return out;
}

/** A Beds24 (or GoDo) property as a core `PmsProvider`. */
export function createBeds24Provider(options: Beds24ProviderOptions & { kind?: string }): PmsProvider {
  validate(options);
  const logger = options.logger ?? silentLogger;
  const code = options.infoItemCode ?? DEFAULT_INFO_ITEM_CODE;
  const client = new Beds24Client({
    refreshToken: options.refreshToken,
    logger,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.organization ? { organization: options.organization } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxWaitMs ? { maxWaitMs: options.maxWaitMs } : {}),
  });
  const base: BookingQuery = {
    propertyId: [options.beds24PropertyId],
    // Explicit, or Beds24 silently leaves out the cancellations that must revoke codes.
    status: BEDS24_STATUSES,
    includeInfoItems: true,
  };
  const webhookSecret = options.webhookSecret;
  const capabilities: PmsCapabilities = {
    webhooks: Boolean(webhookSecret),
    writeBack: true,
    listUnits: true,
    modifiedSince: true,
    fetchByIds: true,
  };

  const provider: PmsProvider = {
    kind: options.kind ?? 'beds24',
    propertyId: options.propertyId,
    capabilities,

    async *fetchBookings(query: { window: Interval; updatedSince?: Date }): AsyncIterable<BookingPage> {
      const from = localDateOf(query.window.start, options.timezone);
      const to = localDateOf(query.window.end, options.timezone);
      const pages = client.getBookings({
        ...base,
        departureFrom: addDays(from, -1),
        arrivalTo: addDays(to, 1),
        ...(query.updatedSince ? { modifiedFrom: modifiedFrom(query.updatedSince) } : {}),
      });
      for await (const page of pages) yield toPage(page, options, { from, to });
    },

    async fetchBookingsByIds(ids: string[]): Promise<BookingPage> {
      const out: BookingPage = { bookings: [], quarantined: [] };
      const numeric = [...new Set(ids)].filter((id) => /^\d+$/.test(id)).map(Number);
      for (const id of ids) {
        if (!/^\d+$/.test(id))
          out.quarantined.push({ recordId: id, reason: 'not a Beds24 booking id', raw: id });
      }
      for (let i = 0; i < numeric.length; i += 50) {
        for await (const page of client.getBookings({ ...base, id: numeric.slice(i, i + 50) })) {
          const mapped = toPage(page, options);
          out.bookings.push(...mapped.bookings);
          out.quarantined.push(...mapped.quarantined);
        }
      }
      return out;
    },

    listUnits: () => listBeds24Units(client, options.beds24PropertyId),

    writeBack(items: WriteBackItem[]): Promise<WriteBackResult[]> {
      return writeBackInfoItems(items, {
        client,
        beds24PropertyId: options.beds24PropertyId,
        code,
        formatText: options.formatText ?? ((item) => item.passcode ?? ''),
        writeBatchSize: options.writeBatchSize ?? 100,
        readBatchSize: options.readBatchSize ?? 50,
        logger,
      });
    },
  };
  if (webhookSecret) {
    provider.parseWebhook = (request: WebhookRequest): WebhookEvent[] =>
      parseBeds24Webhook(request, { secret: webhookSecret, beds24PropertyId: options.beds24PropertyId });
  }
  return provider;
}

/** GoDo (Godo Property) runs on Beds24: the same provider, its own kind and base URL option. */
export function createGodoProvider(options: Beds24ProviderOptions): PmsProvider {
  return createBeds24Provider({ ...options, kind: 'godo', baseUrl: options.baseUrl ?? GODO_BASE_URL });
}
