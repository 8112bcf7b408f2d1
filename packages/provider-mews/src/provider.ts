import {
  type BookingPage,
  type Interval,
  type Logger,
  type PmsCapabilities,
  type PmsProvider,
  readAhead,
  silentLogger,
  systemClock,
  type UnitMapping,
  type UnitSource,
  ValidationError,
  type WebhookEvent,
  type WebhookRequest,
  type WriteBackItem,
  type WriteBackResult,
} from '@brafa/core';
import { MewsClient, type MewsClientOptions, SERVICE_ORDER_STATES } from './client/client.js';
import type { Customer } from './client/schemas.js';
import { mapReservation } from './mapping/reservation.js';
import { toUnitSources } from './mapping/units.js';
import { parseMewsWebhook } from './webhook/parse.js';
import { DEFAULT_PERMISSIONS, type TokenPermissions } from './writeback/plan.js';
import { writeBack } from './writeback/write-back.js';

export interface MewsProviderOptions extends MewsClientOptions {
  /** Our property id (core's), stamped on every booking. */
  propertyId: string;
  /** The enterprise's IANA zone (`configuration/get` → `TimeZoneIdentifier`): local arrival/departure dates. */
  timezone: string;
  /** Bookable service(s) whose reservations get codes; discovered (all active bookable) when omitted. */
  serviceIds?: string[];
  serviceId?: string;
  /** Kept in `externalIds.enterpriseId`; when set, webhooks for another enterprise are refused. */
  enterpriseId?: string;
  /** The secret MEWS appends to our webhook URL as `?Token=`; without it webhooks are off. */
  webhookToken?: string;
  /** Also mirror the PIN into a service-order note for staff (never the source of truth). */
  useServiceOrderNotes?: boolean;
  /** When given, bookings carry `roomId`/`unitName` resolved here; otherwise core resolves them. */
  unitMappings?: () => Promise<UnitMapping[]>;
  /** What the PIN opens (default: the room only). */
  permissions?: Partial<TokenPermissions>;
}

export interface MewsProvider extends PmsProvider {
  readonly kind: 'mews';
  /** The underlying typed client, for operations the provider does not wrap. */
  readonly client: MewsClient;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function check(options: MewsProviderOptions): void {
  if (!options.propertyId) throw new ValidationError('propertyId', 'is required');
  if (!options.timezone || !isZone(options.timezone)) {
    throw new ValidationError('timezone', 'must be an IANA time zone, e.g. Europe/Prague');
  }
}

/** A `PmsProvider` for one MEWS enterprise (property). */
export function createMewsProvider(options: MewsProviderOptions): MewsProvider {
  check(options);
  const client = new MewsClient(options);
  const logger: Logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const permissions = { ...DEFAULT_PERMISSIONS, ...options.permissions };
  const configured = [...(options.serviceIds ?? []), ...(options.serviceId ? [options.serviceId] : [])];
  let discovered: Promise<string[]> | null = null;

  /** The configured services, or every active bookable one (looked up once). */
  const serviceIds = (): Promise<string[]> => {
    if (configured.length) return Promise.resolve(configured);
    discovered ??= client.services().then((all) => {
      const ids = all.filter((s) => s.IsActive && s.Data?.Discriminator === 'Bookable').map((s) => s.Id);
      if (!ids.length)
        throw new ValidationError('serviceIds', 'MEWS has no active bookable service for this token');
      return ids;
    });
    discovered.catch(() => {
      discovered = null;
    });
    return discovered;
  };

  const mappingIndex = async () => {
    if (!options.unitMappings) return null;
    const list = await options.unitMappings();
    return new Map(list.filter((m) => m.propertyId === options.propertyId).map((m) => [m.resourceId, m]));
  };

  /** Map one raw page: fetch its owners' names in one batched call, then translate. */
  const toPage = async (
    raw: unknown[],
    mappings: Map<string, UnitMapping> | null,
    seen: Set<string>,
  ): Promise<BookingPage> => {
    const fresh = raw.filter((r) => {
      const id = (r as { Id?: unknown } | null)?.Id;
      if (typeof id !== 'string') return true;
      if (seen.has(id)) return false; // a stay crossing two 3-month windows comes back twice
      seen.add(id);
      return true;
    });
    const customerIds = fresh.flatMap((r) => {
      const { AccountType, AccountId } = (r ?? {}) as { AccountType?: unknown; AccountId?: unknown };
      return AccountType === 'Customer' && typeof AccountId === 'string' ? [AccountId] : [];
    });
    const customers = new Map<string, Customer>();
    if (customerIds.length) for (const c of await client.customers(customerIds)) customers.set(c.Id, c);
    const page: BookingPage = { bookings: [], quarantined: [] };
    const ctx = {
      propertyId: options.propertyId,
      timezone: options.timezone,
      enterpriseId: options.enterpriseId ?? null,
      customers,
      mappings,
    };
    for (const r of fresh) {
      const mapped = mapReservation(r, ctx);
      if (mapped.ok) page.bookings.push(mapped.booking);
      else page.quarantined.push(mapped.quarantined);
    }
    if (page.quarantined.length) {
      logger.warn('MEWS reservations quarantined', {
        count: page.quarantined.length,
        reasons: page.quarantined.map((q) => `${q.recordId ?? '?'}: ${q.reason}`),
      });
    }
    return page;
  };

  async function* fetchBookings(query: {
    window: Interval;
    updatedSince?: Date;
  }): AsyncIterable<BookingPage> {
    const [services, mappings] = await Promise.all([serviceIds(), mappingIndex()]);
    const seen = new Set<string>();
    // A minute past now, so a change stamped this very second is inside the half-open filter.
    const updated = query.updatedSince
      ? { start: query.updatedSince, end: new Date(clock.now().getTime() + 60_000) }
      : undefined;
    const pages = client.reservations({
      serviceIds: services,
      colliding: query.window,
      ...(updated ? { updated } : {}),
      states: SERVICE_ORDER_STATES,
    });
    // The next page's request overlaps this page's customers call and the engine storing it.
    for await (const raw of readAhead(pages)) yield await toPage(raw, mappings, seen);
  }

  const capabilities: PmsCapabilities = {
    webhooks: Boolean(options.webhookToken),
    writeBack: true,
    listUnits: true,
    modifiedSince: true,
    fetchByIds: true,
  };

  const provider: MewsProvider = {
    kind: 'mews',
    propertyId: options.propertyId,
    capabilities,
    client,
    fetchBookings,

    async fetchBookingsByIds(ids: string[]): Promise<BookingPage> {
      const unique = [...new Set(ids)].filter(Boolean);
      if (!unique.length) return { bookings: [], quarantined: [] };
      const [services, mappings] = await Promise.all([serviceIds(), mappingIndex()]);
      const seen = new Set<string>();
      const out: BookingPage = { bookings: [], quarantined: [] };
      // Ids of other service orders or services are simply not returned (reference §11.2).
      for await (const raw of client.reservations({
        reservationIds: unique,
        serviceIds: services,
        states: SERVICE_ORDER_STATES,
      })) {
        const page = await toPage(raw, mappings, seen);
        out.bookings.push(...page.bookings);
        out.quarantined.push(...page.quarantined);
      }
      return out;
    },

    async listUnits(): Promise<UnitSource[]> {
      const categories = await client.resourceCategories(await serviceIds());
      if (!categories.length) return [];
      const assignments = await client.resourceCategoryAssignments(categories.map((c) => c.Id));
      const resourceIds = assignments.filter((a) => a.IsActive).map((a) => a.ResourceId);
      if (!resourceIds.length) return [];
      const resources = await client.resources(resourceIds);
      return toUnitSources(resources, categories, assignments);
    },

    writeBack(items: WriteBackItem[]): Promise<WriteBackResult[]> {
      if (!items.length) return Promise.resolve([]);
      return writeBack(items, { client, permissions, notes: Boolean(options.useServiceOrderNotes), logger });
    },
  };

  const webhookToken = options.webhookToken;
  if (webhookToken) {
    provider.parseWebhook = (request: WebhookRequest): WebhookEvent[] =>
      parseMewsWebhook(request, { webhookToken, enterpriseId: options.enterpriseId ?? null });
  }
  return provider;
}
