import { HttpResponse, http } from 'msw';
import { addMonthsUtc } from '../../src/client/paging.js';

/**
 * A small stateful fake of the MEWS Connector API endpoints the adapter uses. It enforces
 * the documented rules a real server would (auth fields, `Limitation`, 1,000-item id
 * filters, 3-month time filters, `Extent`, exact case-sensitive paths) and keeps tokens and
 * notes, so write-back can be checked for idempotency. Faults are queued per operation.
 */

type Json = Record<string, unknown>;
export interface RecordedRequest {
  operation: string;
  body: Json;
}
interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Apply the operation, then answer with the fault (a "lost response"). */
  afterApply?: boolean;
}

export interface FakeToken {
  Id: string;
  EnterpriseId: string;
  ServiceOrderId: string;
  CompanionshipId: string | null;
  ResourceId: string | null;
  Type: string;
  Value: string;
  SerialNumber: string | null;
  ValidityStartUtc: string;
  ValidityEndUtc: string;
  CreatedUtc: string;
  UpdatedUtc: string;
  IsActive: boolean;
  Permissions: { Bed: boolean; Room: boolean; Floor: boolean; Building: boolean };
}

export interface FakeNote {
  Id: string;
  OrderId: string;
  Text: string;
  Type: string;
  CreatedUtc: string;
  UpdatedUtc: string;
}

const NOW = '2026-04-01T00:00:00Z';
const MAX = 1000;

export function fakeId(prefix: number, n: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new FakeHttpError(400, message);

function idList(body: Json, field: string, max = MAX): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad(`Invalid ${field}.`);
  if (value.length > max) throw bad(`${field} exceeds the maximum of ${max} items.`);
  return value as string[];
}

function interval(body: Json, field: string): { start: number; end: number } | undefined {
  const value = body[field] as { StartUtc?: string; EndUtc?: string } | undefined;
  if (!value) return undefined;
  const start = Date.parse(value.StartUtc ?? '');
  const end = Date.parse(value.EndUtc ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) throw bad(`Invalid ${field}.`);
  if (addMonthsUtc(new Date(start), 3).getTime() < end) throw bad(`${field} interval exceeds 3 months.`);
  return { start, end };
}

export interface MewsFakeOptions {
  baseUrl?: string;
  clientToken?: string;
  accessToken?: string;
  enterpriseId?: string;
}

export class MewsFake {
  readonly baseUrl: string;
  readonly clientToken: string;
  readonly accessToken: string;
  readonly enterpriseId: string;
  readonly requests: RecordedRequest[] = [];
  readonly reservations = new Map<string, Json>();
  readonly customers = new Map<string, Json>();
  readonly services = new Map<string, Json>();
  readonly resources = new Map<string, Json>();
  readonly categories = new Map<string, Json>();
  readonly assignments = new Map<string, Json>();
  readonly tokens = new Map<string, FakeToken>();
  readonly notes = new Map<string, FakeNote>();
  private readonly faults = new Map<string, Fault[]>();
  private seq = 1;

  constructor(options: MewsFakeOptions = {}) {
    this.baseUrl = options.baseUrl ?? 'http://127.0.0.1:4010';
    this.clientToken = options.clientToken ?? 'FAKE-CLIENT-TOKEN-0001';
    this.accessToken = options.accessToken ?? 'FAKE-ACCESS-TOKEN-0001';
    this.enterpriseId = options.enterpriseId ?? fakeId(0xe, 1);
  }

  /** Queue a fault for the next call(s) of an operation, e.g. `reservations/getAll/2023-06-06`. */
  failNext(operation: string, fault: Fault, times = 1): void {
    const list = this.faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(operation, list);
  }

  calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  nextId(prefix: number): string {
    return fakeId(prefix, this.seq++);
  }

  // ---- seeding -----------------------------------------------------------------------

  addService(fields: Json = {}): string {
    const id = (fields.Id as string) ?? this.nextId(0x5e);
    this.services.set(id, {
      Id: id,
      EnterpriseId: this.enterpriseId,
      IsActive: true,
      Names: { 'en-US': 'Accommodation' },
      Data: { Discriminator: 'Bookable', Value: {} },
      ...fields,
    });
    return id;
  }

  addCategory(serviceId: string, fields: Json = {}): string {
    const id = (fields.Id as string) ?? this.nextId(0xca);
    this.categories.set(id, {
      Id: id,
      EnterpriseId: this.enterpriseId,
      ServiceId: serviceId,
      IsActive: true,
      Type: 'Room',
      Names: { 'en-US': 'Double' },
      ShortNames: { 'en-US': 'DBL' },
      Descriptions: {},
      Ordering: 1,
      Capacity: 2,
      ExtraCapacity: 0,
      ...fields,
    });
    return id;
  }

  /** A resource (room) assigned to a category. */
  addResource(name: string, categoryId: string | null, fields: Json = {}): string {
    const id = (fields.Id as string) ?? this.nextId(0x7e);
    this.resources.set(id, {
      Id: id,
      EnterpriseId: this.enterpriseId,
      IsActive: true,
      ParentResourceId: null,
      Name: name,
      State: 'Clean',
      Data: { Discriminator: 'Space', Value: { FloorNumber: '1' } },
      ...fields,
    });
    if (categoryId) {
      const aid = this.nextId(0xa5);
      this.assignments.set(aid, { Id: aid, ResourceId: id, CategoryId: categoryId, IsActive: true });
    }
    return id;
  }

  addCustomer(firstName: string, lastName: string): string {
    const id = this.nextId(0xc0);
    this.customers.set(id, { Id: id, FirstName: firstName, LastName: lastName, IsActive: true });
    return id;
  }

  addReservation(fields: Json & { ServiceId: string }): string {
    const id = (fields.Id as string) ?? this.nextId(0x4e);
    this.reservations.set(id, {
      Id: id,
      AccountType: 'Customer',
      AccountId: null,
      Number: String(this.reservations.size + 1),
      State: 'Confirmed',
      GroupId: this.nextId(0x90),
      AssignedResourceId: null,
      ScheduledStartUtc: '2026-05-01T14:00:00Z',
      ScheduledEndUtc: '2026-05-03T10:00:00Z',
      CreatedUtc: NOW,
      UpdatedUtc: NOW,
      ...fields,
    });
    return id;
  }

  /** Add a token as if another run (or integration) had written it. */
  addToken(fields: Partial<FakeToken> & { ServiceOrderId: string }): string {
    const id = fields.Id ?? this.nextId(0x70);
    this.tokens.set(id, {
      Id: id,
      EnterpriseId: this.enterpriseId,
      CompanionshipId: null,
      ResourceId: null,
      Type: 'PinCode',
      Value: '000000',
      SerialNumber: null,
      ValidityStartUtc: '2026-05-01T14:00:00Z',
      ValidityEndUtc: '2026-05-03T10:00:00Z',
      CreatedUtc: NOW,
      UpdatedUtc: NOW,
      IsActive: true,
      Permissions: { Bed: false, Room: true, Floor: false, Building: false },
      ...fields,
    });
    return id;
  }

  activeTokens(serviceOrderId?: string): FakeToken[] {
    return [...this.tokens.values()].filter(
      (t) => t.IsActive && (serviceOrderId === undefined || t.ServiceOrderId === serviceOrderId),
    );
  }

  // ---- HTTP ---------------------------------------------------------------------------

  handlers() {
    return [
      http.post(`${this.baseUrl}/api/connector/v1/*`, async ({ request }) => {
        const operation = new URL(request.url).pathname.replace('/api/connector/v1/', '');
        let body: Json;
        try {
          body = (await request.json()) as Json;
        } catch {
          return HttpResponse.json({ Message: 'Invalid JSON', RequestId: 'req-json' }, { status: 400 });
        }
        this.requests.push({ operation, body });
        const fault = this.faults.get(operation)?.shift();
        if (fault && !fault.afterApply) return this.faultResponse(fault);
        if (body.ClientToken !== this.clientToken || body.AccessToken !== this.accessToken || !body.Client) {
          return HttpResponse.json(
            { Message: 'Invalid ClientToken or AccessToken.', RequestId: 'req-auth' },
            { status: 401, headers: { 'Request-Id': 'req-auth' } },
          );
        }
        try {
          const result = this.route(operation, body);
          if (fault) return this.faultResponse(fault);
          if (result === null) return new HttpResponse('Not Found', { status: 404 });
          return HttpResponse.json(result, { headers: { 'Request-Id': `req-${this.requests.length}` } });
        } catch (error) {
          if (error instanceof FakeHttpError) {
            return HttpResponse.json(
              { Message: error.message, RequestId: 'req-err' },
              { status: error.status },
            );
          }
          throw error;
        }
      }),
    ];
  }

  private faultResponse(fault: Fault) {
    const body = fault.body === undefined ? '' : JSON.stringify(fault.body);
    return new HttpResponse(body, {
      status: fault.status,
      headers: { 'content-type': 'application/json', ...fault.headers },
    });
  }

  private route(operation: string, body: Json): Json | null {
    switch (operation) {
      case 'configuration/get':
        return {
          NowUtc: NOW,
          Enterprise: { Id: this.enterpriseId, Name: 'Fake Hotel', TimeZoneIdentifier: 'Europe/Prague' },
        };
      case 'reservations/getAll/2023-06-06':
        return this.getReservations(body);
      case 'customers/getAll':
        return this.getCustomers(body);
      case 'services/getAll':
        return this.page(body, 'Services', [...this.services.values()]);
      case 'resources/getAll':
        return this.getResources(body);
      case 'resourceCategories/getAll':
        return this.getCategories(body);
      case 'resourceCategoryAssignments/getAll':
        return this.getAssignments(body);
      case 'resourceAccessTokens/getAll':
        return this.getTokens(body);
      case 'resourceAccessTokens/add':
        return this.addTokens(body);
      case 'resourceAccessTokens/update':
        return this.updateTokens(body);
      case 'resourceAccessTokens/delete':
        return this.deleteTokens(body);
      case 'serviceOrderNotes/getAll':
        return this.getNotes(body);
      case 'serviceOrderNotes/add':
        return this.addNotes(body);
      case 'serviceOrderNotes/update':
        return this.updateNotes(body);
      case 'serviceOrderNotes/delete':
        return this.deleteNotes(body);
      default:
        return null;
    }
  }

  /** `Limitation` paging: items in Id order, `Cursor` = last Id returned. */
  private page(body: Json, key: string, all: Json[]): Json {
    const limitation = body.Limitation as { Count?: number; Cursor?: string } | undefined;
    if (!limitation) throw bad('Invalid Limitation.');
    const count = limitation.Count ?? 0;
    if (!Number.isInteger(count) || count < 1 || count > MAX) throw bad('Invalid Limitation Count.');
    const sorted = [...all].sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
    let from = 0;
    if (limitation.Cursor) {
      const at = sorted.findIndex((x) => x.Id === limitation.Cursor);
      if (at < 0) throw bad('Invalid Cursor.');
      from = at + 1;
    }
    const items = sorted.slice(from, from + count);
    return { [key]: items, Cursor: items.length ? items[items.length - 1]!.Id : null };
  }

  private getReservations(body: Json): Json {
    const ids = idList(body, 'ReservationIds');
    const services = idList(body, 'ServiceIds');
    const states = idList(body, 'States');
    const colliding = interval(body, 'CollidingUtc');
    const updated = interval(body, 'UpdatedUtc');
    const items = [...this.reservations.values()].filter((r) => {
      if (ids && !ids.includes(r.Id as string)) return false;
      if (services && !services.includes(r.ServiceId as string)) return false;
      if (states && !states.includes(r.State as string)) return false;
      if (colliding) {
        const start = Date.parse(r.ScheduledStartUtc as string);
        const end = Date.parse(r.ScheduledEndUtc as string);
        if (!(start < colliding.end && end > colliding.start)) return false;
      }
      if (updated) {
        const at = Date.parse(r.UpdatedUtc as string);
        if (!(at >= updated.start && at < updated.end)) return false;
      }
      return true;
    });
    return this.page(body, 'Reservations', items);
  }

  private getCustomers(body: Json): Json {
    const extent = body.Extent as { Customers?: boolean } | undefined;
    if (!extent) throw bad('Invalid Extent.');
    const ids = idList(body, 'CustomerIds');
    if (!ids) throw bad('CustomerIds is required if no other filter is provided.');
    if (!extent.Customers) return { Customers: [], Cursor: null };
    return this.page(
      body,
      'Customers',
      [...this.customers.values()].filter((c) => ids.includes(c.Id as string)),
    );
  }

  private getResources(body: Json): Json {
    const extent = body.Extent as { Resources?: boolean; Inactive?: boolean } | undefined;
    if (!extent) throw bad('Invalid Extent.');
    const ids = idList(body, 'ResourceIds');
    const all = [...this.resources.values()].filter(
      (r) => (!ids || ids.includes(r.Id as string)) && (extent.Inactive || r.IsActive),
    );
    return { ...this.page(body, 'Resources', extent.Resources ? all : []), ResourceCategories: null };
  }

  private getCategories(body: Json): Json {
    const services = idList(body, 'ServiceIds');
    if (!services) throw bad('ServiceIds is required.');
    const all = [...this.categories.values()].filter((c) => services.includes(c.ServiceId as string));
    return this.page(body, 'ResourceCategories', all);
  }

  private getAssignments(body: Json): Json {
    const categories = idList(body, 'ResourceCategoryIds');
    if (!categories) throw bad('ResourceCategoryIds is required.');
    const all = [...this.assignments.values()].filter((a) => categories.includes(a.CategoryId as string));
    return this.page(body, 'ResourceCategoryAssignments', all);
  }

  private getTokens(body: Json): Json {
    const ids = idList(body, 'ResourceAccessTokenIds');
    const orders = idList(body, 'ServiceOrderIds');
    const states = idList(body, 'ActivityStates');
    if (!ids && !orders && !body.CollidingUtc && !body.UpdatedUtc) throw bad('A filter is required.');
    const all = [...this.tokens.values()].filter((t) => {
      if (ids && !ids.includes(t.Id)) return false;
      if (orders && !orders.includes(t.ServiceOrderId)) return false;
      if (states && !states.includes(t.IsActive ? 'Active' : 'Deleted')) return false;
      return true;
    });
    return this.page(body, 'ResourceAccessTokens', all as unknown as Json[]);
  }

  private addTokens(body: Json): Json {
    const params = body.ResourceAccessTokenParameters as Json[] | undefined;
    if (!Array.isArray(params) || params.length < 1 || params.length > MAX) {
      throw bad('Invalid ResourceAccessTokenParameters.');
    }
    const added = params.map((p) => {
      if (!this.reservations.has(p.ServiceOrderId as string)) throw bad('Invalid ServiceOrderId.');
      const value = p.Value as string;
      if (typeof value !== 'string' || value.length < 1 || value.length > 255) throw bad('Invalid Value.');
      const perms = p.Permissions as Record<string, { Value: boolean } | null>;
      const id = this.addToken({
        ServiceOrderId: p.ServiceOrderId as string,
        ResourceId: (p.ResourceId as string | null) ?? null,
        Type: p.Type as string,
        Value: value,
        ValidityStartUtc: p.ValidityStartUtc as string,
        ValidityEndUtc: p.ValidityEndUtc as string,
        Permissions: {
          Bed: perms?.Bed?.Value ?? false,
          Room: perms?.Room?.Value ?? false,
          Floor: perms?.Floor?.Value ?? false,
          Building: perms?.Building?.Value ?? false,
        },
      });
      return this.tokens.get(id)!;
    });
    return { ResourceAccessTokens: added };
  }

  private updateTokens(body: Json): Json {
    const updates = (body.ResourceAccessTokenUpdates as Json[] | undefined) ?? [];
    const out = updates.map((u) => {
      const token = this.tokens.get(u.ResourceAccessTokenId as string);
      if (!token?.IsActive) throw bad('Invalid ResourceAccessTokenId.');
      const value = (field: string) => (u[field] as { Value: string } | null | undefined)?.Value;
      token.Value = value('Value') ?? token.Value;
      token.ValidityStartUtc = value('ValidityStartUtc') ?? token.ValidityStartUtc;
      token.ValidityEndUtc = value('ValidityEndUtc') ?? token.ValidityEndUtc;
      const perms = u.Permissions as Record<string, { Value: boolean } | null> | undefined;
      if (perms) {
        for (const key of ['Bed', 'Room', 'Floor', 'Building'] as const) {
          if (perms[key]) token.Permissions[key] = perms[key].Value;
        }
      }
      token.UpdatedUtc = NOW;
      return token;
    });
    return { ResourceAccessTokens: out };
  }

  private deleteTokens(body: Json): Json {
    const ids = idList(body, 'Ids');
    if (!ids?.length) throw bad('Invalid Ids.');
    for (const id of ids) {
      const token = this.tokens.get(id);
      if (token) token.IsActive = false;
    }
    return {};
  }

  private getNotes(body: Json): Json {
    const orders = idList(body, 'ServiceOrderIds');
    if (!orders) throw bad('ServiceOrderIds is required.');
    const types = idList(body, 'Types') ?? ['General', 'ChannelManager'];
    const all = [...this.notes.values()].filter((n) => orders.includes(n.OrderId) && types.includes(n.Type));
    return this.page(body, 'ServiceOrderNotes', all as unknown as Json[]);
  }

  private addNotes(body: Json): Json {
    const notes = (body.ServiceOrderNotes as Array<{ ServiceOrderId: string; Text: string }>) ?? [];
    const out = notes.map((n) => {
      const id = this.nextId(0xb0);
      const note: FakeNote = {
        Id: id,
        OrderId: n.ServiceOrderId,
        Text: n.Text,
        Type: 'General',
        CreatedUtc: NOW,
        UpdatedUtc: NOW,
      };
      this.notes.set(id, note);
      return note;
    });
    return { ServiceOrderNotes: out };
  }

  private updateNotes(body: Json): Json {
    const updates =
      (body.ServiceOrderNoteUpdates as Array<{ ServiceOrderNoteId: string; Text?: { Value: string } }>) ?? [];
    const out = updates.map((u) => {
      const note = this.notes.get(u.ServiceOrderNoteId);
      if (!note) throw bad('Invalid ServiceOrderNoteId.');
      if (u.Text) note.Text = u.Text.Value;
      return note;
    });
    return { ServiceOrderNotes: out };
  }

  private deleteNotes(body: Json): Json {
    for (const id of idList(body, 'ServiceOrderNoteIds') ?? []) this.notes.delete(id);
    return {};
  }
}
