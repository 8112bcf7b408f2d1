import { parseOrReason, ValidationError } from '@brafa/core';
import type { z } from 'zod';
import { MewsHttp, type MewsHttpOptions } from './http.js';
import { chunk, MAX_IDS, type Page, paginate, splitInterval, type TimeInterval } from './paging.js';
import {
  type Configuration,
  type Customer,
  configurationSchema,
  customerSchema,
  customersPageSchema,
  emptySchema,
  type Resource,
  type ResourceAccessToken,
  type ResourceCategory,
  type ResourceCategoryAssignment,
  reservationsPageSchema,
  resourceAccessTokensSchema,
  resourceCategoriesPageSchema,
  resourceCategoryAssignmentsPageSchema,
  resourcesPageSchema,
  type Service,
  type ServiceOrderNote,
  serviceOrderNotesSchema,
  servicesPageSchema,
} from './schemas.js';

export const SERVICE_ORDER_STATES = [
  'Inquired',
  'Confirmed',
  'Started',
  'Processed',
  'Canceled',
  'Optional',
  'Requested',
] as const;

export interface MewsClientOptions extends MewsHttpOptions {
  /** `Limitation.Count` for reservations (default 200: smaller pages avoid MEWS's 408). */
  reservationPageSize?: number;
  /** `Limitation.Count` for everything else (default 1000, the maximum). */
  pageSize?: number;
  /** Sent as `EnterpriseIds` on reads; only needed with portfolio access tokens. */
  enterpriseIds?: string[];
}

export interface ReservationQuery {
  reservationIds?: string[];
  serviceIds?: string[];
  /** Reservations whose scheduled stay intersects this interval (split into ≤ 3-month pieces). */
  colliding?: { start: Date; end: Date };
  /** Reservations updated in this interval (split into ≤ 3-month pieces). */
  updated?: { start: Date; end: Date };
  /** Always explicit: the 2023-06-06 version documents no default. */
  states: readonly string[];
}

/** Request item of `resourceAccessTokens/add` (permissions wrapped in `{ Value }`). */
export interface ResourceAccessTokenParameters {
  ServiceOrderId: string;
  ResourceId: string | null;
  Type: 'PinCode' | 'RfidTag';
  Value: string;
  ValidityStartUtc: string;
  ValidityEndUtc: string;
  Permissions: PermissionParameters;
}

export interface PermissionParameters {
  Bed?: { Value: boolean };
  Room?: { Value: boolean };
  Floor?: { Value: boolean };
  Building?: { Value: boolean };
}

export interface ResourceAccessTokenUpdate {
  ResourceAccessTokenId: string;
  Value?: { Value: string };
  ValidityStartUtc?: { Value: string };
  ValidityEndUtc?: { Value: string };
  Permissions?: PermissionParameters;
}

const READ = { idempotent: true };
/** Updates set absolute values and deletes are by id: repeating them is harmless. */
const IDEMPOTENT_WRITE = { idempotent: true };
/** `add` has no idempotency key: never blindly re-sent (see `CallOptions`). */
const ADD = { idempotent: false };

function guardBatch(operation: string, field: string, size: number): void {
  if (size > MAX_IDS)
    throw new ValidationError(`MEWS ${operation} ${field}`, `at most ${MAX_IDS} items per call`);
}

/**
 * The slice of the MEWS Connector API the adapter uses, one method per operation. Reads
 * page through `Limitation`/`Cursor`, chunk id filters at 1,000 and split time filters into
 * ≤ 3-month intervals; writes take at most 1,000 items (callers chunk, so that a failing
 * chunk fails only its own items).
 */
export class MewsClient {
  readonly http: MewsHttp;
  private readonly reservationPageSize: number;
  private readonly pageSize: number;
  private readonly enterpriseFilter: { EnterpriseIds?: string[] };

  constructor(options: MewsClientOptions) {
    this.http = new MewsHttp(options);
    this.reservationPageSize = options.reservationPageSize ?? 200;
    this.pageSize = options.pageSize ?? MAX_IDS;
    this.enterpriseFilter = options.enterpriseIds?.length ? { EnterpriseIds: options.enterpriseIds } : {};
  }

  /** The enterprise behind the token (id, name, time zone): a connectivity check too. */
  async configuration(): Promise<Configuration> {
    return this.http.post('configuration/get', {}, configurationSchema, READ);
  }

  /** Raw reservation pages; each record is validated by the caller so bad ones can be quarantined. */
  async *reservations(query: ReservationQuery): AsyncGenerator<unknown[]> {
    const op = 'reservations/getAll/2023-06-06';
    const idChunks: Array<string[] | null> = query.reservationIds ? chunk(query.reservationIds) : [null];
    const colliding: Array<TimeInterval | null> = query.colliding
      ? splitInterval(query.colliding.start, query.colliding.end)
      : [null];
    const updated: Array<TimeInterval | null> = query.updated
      ? splitInterval(query.updated.start, query.updated.end)
      : [null];
    for (const ids of idChunks) {
      for (const coll of colliding) {
        for (const upd of updated) {
          const filter: Record<string, unknown> = {
            ...this.enterpriseFilter,
            ...(ids ? { ReservationIds: ids } : {}),
            ...(query.serviceIds?.length ? { ServiceIds: query.serviceIds } : {}),
            ...(coll ? { CollidingUtc: coll } : {}),
            ...(upd ? { UpdatedUtc: upd } : {}),
            States: [...query.states],
          };
          let seen = 0;
          for await (const items of paginate(op, this.reservationPageSize, async (Limitation) => {
            const res = await this.http.post(op, { ...filter, Limitation }, reservationsPageSchema, READ);
            return { items: res.Reservations, cursor: res.Cursor };
          })) {
            yield items;
            seen += items.length;
            // At most one reservation per id: once every id is back, a further page would be empty.
            if (ids && seen >= ids.length) break;
          }
        }
      }
    }
  }

  /**
   * Customers by id. A customer that does not match the schema is skipped (it only costs
   * a guest name), not a reason to fail the bookings that reference it.
   */
  async customers(customerIds: string[]): Promise<Customer[]> {
    const op = 'customers/getAll';
    const out: Customer[] = [];
    for (const ids of chunk([...new Set(customerIds)])) {
      let seen = 0;
      for await (const items of paginate(op, this.pageSize, async (Limitation) => {
        const body = { CustomerIds: ids, Extent: { Customers: true, Addresses: false }, Limitation };
        const res = await this.http.post(op, body, customersPageSchema, READ);
        return { items: res.Customers, cursor: res.Cursor };
      })) {
        for (const raw of items) {
          const parsed = parseOrReason(customerSchema, raw);
          if (parsed.ok) out.push(parsed.value);
        }
        seen += items.length;
        // At most one customer per id: a full page of exactly 1,000 ids needs no second call.
        if (seen >= ids.length) break;
      }
    }
    return out;
  }

  /** Active resources (rooms, beds…), optionally only these ids. */
  async resources(resourceIds?: string[]): Promise<Resource[]> {
    const op = 'resources/getAll';
    const chunks: Array<string[] | null> = resourceIds ? chunk([...new Set(resourceIds)]) : [null];
    return this.collectChunks(
      op,
      chunks,
      resourcesPageSchema,
      (ids) => ({
        ...this.enterpriseFilter,
        ...(ids ? { ResourceIds: ids } : {}),
        Extent: { Resources: true, Inactive: false },
      }),
      (res) => res.Resources,
    );
  }

  async resourceCategories(serviceIds: string[]): Promise<ResourceCategory[]> {
    const op = 'resourceCategories/getAll';
    return this.collectChunks(
      op,
      chunk([...new Set(serviceIds)]),
      resourceCategoriesPageSchema,
      (ids) => ({
        ...this.enterpriseFilter,
        ServiceIds: ids,
        ActivityStates: ['Active'],
      }),
      (res) => res.ResourceCategories,
    );
  }

  async resourceCategoryAssignments(categoryIds: string[]): Promise<ResourceCategoryAssignment[]> {
    const op = 'resourceCategoryAssignments/getAll';
    return this.collectChunks(
      op,
      chunk([...new Set(categoryIds)]),
      resourceCategoryAssignmentsPageSchema,
      (ids) => ({ ...this.enterpriseFilter, ResourceCategoryIds: ids, ActivityStates: ['Active'] }),
      (res) => res.ResourceCategoryAssignments,
    );
  }

  async services(): Promise<Service[]> {
    const op = 'services/getAll';
    return this.collectChunks(
      op,
      [null],
      servicesPageSchema,
      () => ({ ...this.enterpriseFilter }),
      (res) => res.Services,
    );
  }

  /** Tokens of these service orders (reservation ids), active only unless told otherwise. */
  async resourceAccessTokens(
    serviceOrderIds: string[],
    activityStates: Array<'Active' | 'Deleted'> = ['Active'],
  ): Promise<ResourceAccessToken[]> {
    const op = 'resourceAccessTokens/getAll';
    return this.collectChunks(
      op,
      chunk([...new Set(serviceOrderIds)]),
      resourceAccessTokensSchema,
      (ids) => ({ ...this.enterpriseFilter, ServiceOrderIds: ids, ActivityStates: activityStates }),
      (res) => res.ResourceAccessTokens,
    );
  }

  async addResourceAccessTokens(items: ResourceAccessTokenParameters[]): Promise<ResourceAccessToken[]> {
    const op = 'resourceAccessTokens/add';
    guardBatch(op, 'ResourceAccessTokenParameters', items.length);
    const res = await this.http.post(
      op,
      { ResourceAccessTokenParameters: items },
      resourceAccessTokensSchema,
      ADD,
    );
    return res.ResourceAccessTokens;
  }

  async updateResourceAccessTokens(updates: ResourceAccessTokenUpdate[]): Promise<ResourceAccessToken[]> {
    const op = 'resourceAccessTokens/update';
    guardBatch(op, 'ResourceAccessTokenUpdates', updates.length);
    const res = await this.http.post(
      op,
      { ResourceAccessTokenUpdates: updates },
      resourceAccessTokensSchema,
      IDEMPOTENT_WRITE,
    );
    return res.ResourceAccessTokens;
  }

  async deleteResourceAccessTokens(ids: string[]): Promise<void> {
    const op = 'resourceAccessTokens/delete';
    guardBatch(op, 'Ids', ids.length);
    await this.http.post(op, { Ids: ids }, emptySchema, IDEMPOTENT_WRITE);
  }

  /** `General` notes of these service orders (the type our notes get). */
  async serviceOrderNotes(serviceOrderIds: string[]): Promise<ServiceOrderNote[]> {
    const op = 'serviceOrderNotes/getAll';
    return this.collectChunks(
      op,
      chunk([...new Set(serviceOrderIds)]),
      serviceOrderNotesSchema,
      (ids) => ({ ...this.enterpriseFilter, ServiceOrderIds: ids, Types: ['General'] }),
      (res) => res.ServiceOrderNotes,
    );
  }

  async addServiceOrderNotes(
    notes: Array<{ ServiceOrderId: string; Text: string }>,
  ): Promise<ServiceOrderNote[]> {
    const op = 'serviceOrderNotes/add';
    guardBatch(op, 'ServiceOrderNotes', notes.length);
    const res = await this.http.post(op, { ServiceOrderNotes: notes }, serviceOrderNotesSchema, ADD);
    return res.ServiceOrderNotes;
  }

  async updateServiceOrderNotes(
    updates: Array<{ ServiceOrderNoteId: string; Text: { Value: string } }>,
  ): Promise<ServiceOrderNote[]> {
    const op = 'serviceOrderNotes/update';
    guardBatch(op, 'ServiceOrderNoteUpdates', updates.length);
    const res = await this.http.post(
      op,
      { ServiceOrderNoteUpdates: updates },
      serviceOrderNotesSchema,
      IDEMPOTENT_WRITE,
    );
    return res.ServiceOrderNotes;
  }

  async deleteServiceOrderNotes(ids: string[]): Promise<void> {
    const op = 'serviceOrderNotes/delete';
    guardBatch(op, 'ServiceOrderNoteIds', ids.length);
    await this.http.post(op, { ServiceOrderNoteIds: ids }, emptySchema, IDEMPOTENT_WRITE);
  }

  /** Every page of every id chunk of a paged read, collected. */
  private async collectChunks<S extends z.ZodType<{ Cursor: string | null }>, T>(
    op: string,
    chunks: Array<string[] | null>,
    schema: S,
    filter: (ids: string[] | null) => Record<string, unknown>,
    items: (response: z.output<S>) => T[],
  ): Promise<T[]> {
    const out: T[] = [];
    for (const ids of chunks) {
      const pages = paginate<T>(op, this.pageSize, async (Limitation): Promise<Page<T>> => {
        const res = await this.http.post(op, { ...filter(ids), Limitation }, schema, READ);
        return { items: items(res), cursor: res.Cursor };
      });
      for await (const page of pages) out.push(...page);
    }
    return out;
  }
}
