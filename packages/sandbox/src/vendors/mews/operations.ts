import { groupedBy } from '../../util/index-by.js';
import type { Prng } from '../../util/prng.js';
import { isoSeconds, parseInstant } from '../../util/time.js';
import type { MewsAccessToken, MewsNote, WorldProperty, WorldReservation } from '../../world/types.js';
import type { VendorContext } from '../types.js';
import { MewsFailure } from './errors.js';
import { collides, inInterval, inList, paginate, parseBody, readInterval } from './query.js';
import * as S from './schemas.js';
import {
  accessTokenJson,
  assignmentJson,
  categoryJson,
  customerJson,
  noteJson,
  reservationJson,
  resourceJson,
  serviceJson,
} from './serialize.js';

export interface MewsOpContext extends VendorContext {
  property: WorldProperty;
  prng: Prng;
}

type Operation = (ctx: MewsOpContext, body: unknown) => unknown;

function enterpriseVisible(ctx: MewsOpContext, enterpriseIds: readonly string[] | null | undefined): boolean {
  return inList(ctx.property.mews?.enterpriseId ?? null, enterpriseIds);
}

function reservationsOf(ctx: MewsOpContext): WorldReservation[] {
  return ctx.world.reservations.filter((r) => r.propertyId === ctx.property.id);
}

const unitKey = (u: { propertyId: string; unitName: string | null }) => `${u.propertyId}\u0000${u.unitName}`;

function unitOf(ctx: MewsOpContext, r: WorldReservation) {
  return r.unitName === null
    ? null
    : (groupedBy(ctx.world.units, 'propertyUnit', unitKey).get(unitKey(r))?.[0] ?? null);
}

/** `reservations/getAll/2023-06-06` (mews.md §6). */
const reservationsGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.reservationsGetAll, raw);
  if (body.ScheduledStartUtc && body.ActualStartUtc) {
    throw new MewsFailure(400, 'Invalid request: ScheduledStartUtc cannot be combined with ActualStartUtc.');
  }
  if (body.ScheduledEndUtc && body.ActualEndUtc) {
    throw new MewsFailure(400, 'Invalid request: ScheduledEndUtc cannot be combined with ActualEndUtc.');
  }
  const created = readInterval('CreatedUtc', body.CreatedUtc);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const colliding = readInterval('CollidingUtc', body.CollidingUtc);
  const schedStart = readInterval('ScheduledStartUtc', body.ScheduledStartUtc);
  const actualStart = readInterval('ActualStartUtc', body.ActualStartUtc);
  const schedEnd = readInterval('ScheduledEndUtc', body.ScheduledEndUtc);
  const actualEnd = readInterval('ActualEndUtc', body.ActualEndUtc);
  const universe = reservationsOf(ctx);
  const visible = enterpriseVisible(ctx, body.EnterpriseIds) ? universe : [];
  const matches = visible.filter((r) => {
    const unit = unitOf(ctx, r);
    return (
      inList(r.id, body.ReservationIds) &&
      inList(ctx.property.mews?.serviceId ?? null, body.ServiceIds) &&
      inList(r.groupId, body.ReservationGroupIds) &&
      inList(r.guestId, body.AccountIds) &&
      !body.PartnerCompanyIds &&
      !body.TravelAgencyIds &&
      inList(r.number, body.Numbers) &&
      !body.ChannelNumbers &&
      inList(unit?.mews.resourceId ?? null, body.AssignedResourceIds) &&
      !body.AvailabilityBlockIds &&
      inInterval(r.createdUtc, created) &&
      inInterval(r.updatedUtc, updated) &&
      collides(r.startUtc, r.endUtc, colliding) &&
      inInterval(r.startUtc, schedStart) &&
      inInterval(r.actualStartUtc, actualStart) &&
      inInterval(r.endUtc, schedEnd) &&
      inInterval(r.actualEndUtc, actualEnd) &&
      // The 2023-06-06 version documents no default for States (mews.md §6.4, §12.5): all states.
      inList(r.state, body.States)
    );
  });
  const { page, cursor } = paginate(matches, body.Limitation, (r) => r.id, universe);
  return {
    Reservations: page.map((r) => {
      const unit = unitOf(ctx, r);
      const category =
        ctx.world.categories.find((c) => c.propertyId === r.propertyId && c.name === unit?.category) ?? null;
      return reservationJson(r, ctx.property, unit, category);
    }),
    Cursor: cursor,
  };
};

/** `customers/getAll` (mews.md §7.2). */
const customersGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.customersGetAll, raw);
  const created = readInterval('CreatedUtc', body.CreatedUtc);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  readInterval('DeletedUtc', body.DeletedUtc);
  const hasFilter =
    body.CustomerIds ||
    body.CreatedUtc ||
    body.UpdatedUtc ||
    body.DeletedUtc ||
    body.Emails ||
    body.FirstNames ||
    body.LastNames ||
    body.LoyaltyCodes ||
    body.CompanyIds;
  if (!hasFilter) throw new MewsFailure(400, 'Invalid CustomerIds: required if no other filter is provided.');
  const guestIds = new Set(reservationsOf(ctx).map((r) => r.guestId));
  const universe = ctx.world.guests.filter((g) => guestIds.has(g.id));
  const deletedOnly = body.ActivityStates?.length === 1 && body.ActivityStates[0] === 'Deleted';
  const matches = universe.filter(
    (g) =>
      !deletedOnly &&
      !body.DeletedUtc &&
      !body.CompanyIds &&
      !body.LoyaltyCodes &&
      inList(g.id, body.CustomerIds) &&
      inList(g.email, body.Emails) &&
      inList(g.firstName, body.FirstNames) &&
      inList(g.lastName, body.LastNames) &&
      inInterval(g.createdUtc, created) &&
      inInterval(g.updatedUtc, updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (g) => g.id, universe);
  // With all extents false MEWS returns only a cursor (mews.md §7.2).
  return {
    Customers: body.Extent.Customers ? page.map((g) => customerJson(g, ctx.property)) : [],
    Documents: null,
    Cursor: cursor,
  };
};

/** `services/getAll` (mews.md §8.1): one bookable accommodation service per enterprise. */
const servicesGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.servicesGetAll, raw);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const mews = ctx.property.mews;
  const createdUtc = ctx.world.units.find((u) => u.propertyId === ctx.property.id)?.createdUtc ?? new Date(0);
  const service = { seq: 0, id: mews?.serviceId ?? '', createdUtc };
  const matches = [service].filter(
    (s) =>
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      inList(s.id, body.ServiceIds) &&
      (body.ServiceType === null || body.ServiceType === undefined || body.ServiceType === 'Bookable') &&
      inInterval(s.createdUtc, updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (s) => s.id, [service]);
  return { Services: page.map((s) => serviceJson(ctx.property, s.createdUtc)), Cursor: cursor };
};

/** `resources/getAll` (mews.md §8.2): `Extent.Resources` must be true to get rooms. */
const resourcesGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.resourcesGetAll, raw);
  const created = readInterval('CreatedUtc', body.CreatedUtc);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const universe = ctx.world.units.filter((u) => u.propertyId === ctx.property.id);
  const matches = universe.filter(
    (u) =>
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      (u.active || body.Extent.Inactive === true) &&
      inList(u.mews.resourceId, body.ResourceIds) &&
      inList(u.unitName, body.Names) &&
      inInterval(u.createdUtc, created) &&
      inInterval(u.updatedUtc, updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (u) => u.mews.resourceId, universe);
  return {
    Resources: body.Extent.Resources ? page.map((u) => resourceJson(u, ctx.property)) : [],
    ResourceCategories: null,
    ResourceCategoryAssignments: null,
    ResourceCategoryImageAssignments: null,
    ResourceFeatures: null,
    ResourceFeatureAssignments: null,
    Cursor: cursor,
  };
};

/** `resourceCategories/getAll` (mews.md §8.3); `ServiceIds` is required. */
const resourceCategoriesGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.resourceCategoriesGetAll, raw);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const universe = ctx.world.categories.filter((c) => c.propertyId === ctx.property.id);
  const deletedOnly = body.ActivityStates?.length === 1 && body.ActivityStates[0] === 'Deleted';
  const created = (c: (typeof universe)[number]) =>
    ctx.world.units.find((u) => u.propertyId === c.propertyId && u.category === c.name)?.createdUtc ?? null;
  const matches = universe.filter(
    (c) =>
      !deletedOnly &&
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      inList(ctx.property.mews?.serviceId ?? null, body.ServiceIds) &&
      inList(c.mewsId, body.ResourceCategoryIds) &&
      inInterval(created(c), updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (c) => c.mewsId, universe);
  return {
    ResourceCategories: page.map((c) => categoryJson(c, ctx.property, universe.indexOf(c))),
    Cursor: cursor,
  };
};

/** `resourceCategoryAssignments/getAll` (mews.md §8.3); `ResourceCategoryIds` is required. */
const resourceCategoryAssignmentsGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.resourceCategoryAssignmentsGetAll, raw);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const universe = ctx.world.units.filter((u) => u.propertyId === ctx.property.id);
  const wanted = new Set(body.ActivityStates ?? ['Active']);
  const matches = universe.filter(
    (u) =>
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      wanted.has(u.active ? 'Active' : 'Deleted') &&
      inList(u.mews.assignmentId, body.ResourceCategoryAssignmentIds) &&
      inList(u.mews.categoryId, body.ResourceCategoryIds) &&
      inList(u.mews.resourceId, body.ResourceIds) &&
      inInterval(u.updatedUtc, updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (u) => u.mews.assignmentId, universe);
  return { ResourceCategoryAssignments: page.map(assignmentJson), Cursor: cursor };
};

function tokensOf(ctx: MewsOpContext): MewsAccessToken[] {
  const enterpriseId = ctx.property.mews?.enterpriseId;
  return ctx.world.mews.tokens.filter((t) => t.EnterpriseId === enterpriseId);
}

function instant(name: string, value: string): string {
  const parsed = parseInstant(value);
  if (!parsed) throw new MewsFailure(400, `Invalid ${name}: expected an ISO 8601 UTC date-time.`);
  return isoSeconds(parsed);
}

/** `resourceAccessTokens/getAll` (mews.md §9.2): one of ids, ServiceOrderIds, CollidingUtc, UpdatedUtc. */
const accessTokensGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.accessTokensGetAll, raw);
  if (!body.ResourceAccessTokenIds && !body.ServiceOrderIds && !body.CollidingUtc && !body.UpdatedUtc) {
    throw new MewsFailure(
      400,
      'Invalid request: one of ResourceAccessTokenIds, ServiceOrderIds, CollidingUtc or UpdatedUtc must be specified.',
    );
  }
  const colliding = readInterval('CollidingUtc', body.CollidingUtc);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  // Deleted tokens are read only with ActivityStates ["Deleted"] (mews.md §9.5).
  const wanted = new Set(body.ActivityStates ?? ['Active']);
  const universe = tokensOf(ctx);
  const matches = universe.filter(
    (t) =>
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      wanted.has(t.IsActive ? 'Active' : 'Deleted') &&
      inList(t.Id, body.ResourceAccessTokenIds) &&
      inList(t.ServiceOrderId, body.ServiceOrderIds) &&
      collides(new Date(t.ValidityStartUtc), new Date(t.ValidityEndUtc), colliding) &&
      inInterval(new Date(t.UpdatedUtc), updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (t) => t.Id, universe);
  return { ResourceAccessTokens: page.map(accessTokenJson), Cursor: cursor };
};

function permission(value: { Value: boolean | null } | null | undefined, current: boolean): boolean {
  if (value === null || value === undefined || value.Value === null) return current;
  return value.Value;
}

/** `resourceAccessTokens/add` (mews.md §9.3). No idempotency: every call adds (§9.6). */
const accessTokensAdd: Operation = (ctx, raw) => {
  const body = parseBody(S.accessTokensAdd, raw);
  const now = isoSeconds(ctx.clock.now());
  const reservationIds = new Set(reservationsOf(ctx).map((r) => r.id));
  const resourceIds = new Set(
    ctx.world.units.filter((u) => u.propertyId === ctx.property.id).map((u) => u.mews.resourceId),
  );
  // Validate every item first so a bad item adds nothing (the request fails as a whole).
  const prepared = body.ResourceAccessTokenParameters.map((p, i) => {
    if (!reservationIds.has(p.ServiceOrderId)) {
      throw new MewsFailure(400, `Invalid ResourceAccessTokenParameters[${i}].ServiceOrderId.`);
    }
    if (p.ResourceId && !resourceIds.has(p.ResourceId)) {
      throw new MewsFailure(400, `Invalid ResourceAccessTokenParameters[${i}].ResourceId.`);
    }
    const start = instant(`ResourceAccessTokenParameters[${i}].ValidityStartUtc`, p.ValidityStartUtc);
    const end = instant(`ResourceAccessTokenParameters[${i}].ValidityEndUtc`, p.ValidityEndUtc);
    return { p, start, end };
  });
  const added = prepared.map(({ p, start, end }) => {
    ctx.world.seq += 1;
    const token: MewsAccessToken = {
      Id: ctx.prng.uuid(),
      EnterpriseId: ctx.property.mews?.enterpriseId ?? '',
      ServiceOrderId: p.ServiceOrderId,
      CompanionshipId: p.CompanionshipId ?? null,
      ResourceId: p.ResourceId ?? null,
      Type: p.Type,
      Value: p.Value,
      SerialNumber: p.SerialNumber ?? null,
      ValidityStartUtc: start,
      ValidityEndUtc: end,
      Permissions: {
        Bed: permission(p.Permissions.Bed, false),
        Room: permission(p.Permissions.Room, false),
        Floor: permission(p.Permissions.Floor, false),
        Building: permission(p.Permissions.Building, false),
      },
      CreatedUtc: now,
      UpdatedUtc: now,
      IsActive: true,
      seq: ctx.world.seq,
    };
    ctx.world.mews.tokens.push(token);
    return token;
  });
  return { ResourceAccessTokens: added.map(accessTokenJson) };
};

/** `resourceAccessTokens/update` (mews.md §9.4): validity, permissions and Value. */
const accessTokensUpdate: Operation = (ctx, raw) => {
  const body = parseBody(S.accessTokensUpdate, raw);
  const updates = body.ResourceAccessTokenUpdates ?? [];
  const tokens = tokensOf(ctx);
  const now = isoSeconds(ctx.clock.now());
  const plan = updates.map((u, i) => {
    const token = tokens.find((t) => t.Id === u.ResourceAccessTokenId && t.IsActive);
    if (!token) throw new MewsFailure(400, `Invalid ResourceAccessTokenUpdates[${i}].ResourceAccessTokenId.`);
    if (u.Value && u.Value.Value === null)
      throw new MewsFailure(400, `Invalid ResourceAccessTokenUpdates[${i}].Value: not nullable.`);
    const start = u.ValidityStartUtc?.Value
      ? instant(`ResourceAccessTokenUpdates[${i}].ValidityStartUtc`, u.ValidityStartUtc.Value)
      : null;
    const end = u.ValidityEndUtc?.Value
      ? instant(`ResourceAccessTokenUpdates[${i}].ValidityEndUtc`, u.ValidityEndUtc.Value)
      : null;
    return { token, u, start, end };
  });
  const result = plan.map(({ token, u, start, end }) => {
    if (start) token.ValidityStartUtc = start;
    if (end) token.ValidityEndUtc = end;
    if (u.Value?.Value) token.Value = u.Value.Value;
    if (u.Permissions) {
      token.Permissions = {
        Bed: permission(u.Permissions.Bed, token.Permissions.Bed),
        Room: permission(u.Permissions.Room, token.Permissions.Room),
        Floor: permission(u.Permissions.Floor, token.Permissions.Floor),
        Building: permission(u.Permissions.Building, token.Permissions.Building),
      };
    }
    token.UpdatedUtc = now;
    return token;
  });
  return { ResourceAccessTokens: result.map(accessTokenJson) };
};

/**
 * `resourceAccessTokens/delete` (mews.md §9.5) → `{}`. Unknown ids are a 400; deleting an
 * already-deleted token is accepted (the docs are silent; this keeps retries safe).
 */
const accessTokensDelete: Operation = (ctx, raw) => {
  const body = parseBody(S.accessTokensDelete, raw);
  const tokens = tokensOf(ctx);
  const found = body.Ids.map((id, i) => {
    const token = tokens.find((t) => t.Id === id);
    if (!token) throw new MewsFailure(400, `Invalid Ids[${i}].`);
    return token;
  });
  const now = isoSeconds(ctx.clock.now());
  for (const token of found) {
    if (!token.IsActive) continue;
    token.IsActive = false;
    token.UpdatedUtc = now;
  }
  return {};
};

function notesOf(ctx: MewsOpContext): MewsNote[] {
  return ctx.world.mews.notes.filter((n) => n.enterpriseId === ctx.property.mews?.enterpriseId);
}

/** `serviceOrderNotes/getAll` (mews.md §10.1); Types default to General + ChannelManager. */
const notesGetAll: Operation = (ctx, raw) => {
  const body = parseBody(S.notesGetAll, raw);
  const updated = readInterval('UpdatedUtc', body.UpdatedUtc);
  const types = new Set(body.Types ?? ['General', 'ChannelManager']);
  const universe = notesOf(ctx);
  const matches = universe.filter(
    (n) =>
      enterpriseVisible(ctx, body.EnterpriseIds) &&
      types.has(n.Type) &&
      inList(n.OrderId, body.ServiceOrderIds) &&
      inList(n.Id, body.ServiceOrderNoteIds) &&
      inInterval(new Date(n.UpdatedUtc), updated),
  );
  const { page, cursor } = paginate(matches, body.Limitation, (n) => n.Id, universe);
  return { ServiceOrderNotes: page.map(noteJson), Cursor: cursor };
};

/** `serviceOrderNotes/add` (mews.md §10.2): added notes are `General`; no idempotency. */
const notesAdd: Operation = (ctx, raw) => {
  const body = parseBody(S.notesAdd, raw);
  const reservations = reservationsOf(ctx);
  body.ServiceOrderNotes.forEach((n, i) => {
    if (!reservations.some((r) => r.id === n.ServiceOrderId)) {
      throw new MewsFailure(400, `Invalid ServiceOrderNotes[${i}].ServiceOrderId.`);
    }
  });
  const now = isoSeconds(ctx.clock.now());
  const added = body.ServiceOrderNotes.map((n) => {
    ctx.world.seq += 1;
    const note: MewsNote = {
      Id: ctx.prng.uuid(),
      OrderId: n.ServiceOrderId,
      Text: n.Text,
      Type: 'General',
      CreatedUtc: now,
      UpdatedUtc: now,
      enterpriseId: ctx.property.mews?.enterpriseId ?? '',
      seq: ctx.world.seq,
    };
    ctx.world.mews.notes.push(note);
    return note;
  });
  return { ServiceOrderNotes: added.map(noteJson) };
};

/** `serviceOrderNotes/update` (mews.md §10.3). */
const notesUpdate: Operation = (ctx, raw) => {
  const body = parseBody(S.notesUpdate, raw);
  const notes = notesOf(ctx);
  const plan = body.ServiceOrderNoteUpdates.map((u, i) => {
    const note = notes.find((n) => n.Id === u.ServiceOrderNoteId);
    if (!note) throw new MewsFailure(400, `Invalid ServiceOrderNoteUpdates[${i}].ServiceOrderNoteId.`);
    return { note, u };
  });
  const now = isoSeconds(ctx.clock.now());
  for (const { note, u } of plan) {
    if (u.Text && u.Text.Value !== null) note.Text = u.Text.Value;
    note.UpdatedUtc = now;
  }
  return { ServiceOrderNotes: plan.map(({ note }) => noteJson(note)) };
};

/** `serviceOrderNotes/delete` (mews.md §10.4) → `{}`. */
const notesDelete: Operation = (ctx, raw) => {
  const body = parseBody(S.notesDelete, raw);
  const notes = notesOf(ctx);
  body.ServiceOrderNoteIds.forEach((id, i) => {
    if (!notes.some((n) => n.Id === id)) throw new MewsFailure(400, `Invalid ServiceOrderNoteIds[${i}].`);
  });
  ctx.world.mews.notes = ctx.world.mews.notes.filter((n) => !body.ServiceOrderNoteIds.includes(n.Id));
  return {};
};

/** `configuration/get` (mews.md §2.5). */
const configurationGet: Operation = (ctx, raw) => {
  parseBody(S.configurationGet, raw);
  return {
    NowUtc: isoSeconds(ctx.clock.now()),
    Enterprise: {
      Id: ctx.property.mews?.enterpriseId ?? '',
      Name: ctx.property.name,
      TimeZoneIdentifier: ctx.property.timezone,
      LegalEnvironmentCode: 'CZ',
      AccommodationEnvironmentCode: 'CZ',
      ChainId: ctx.property.mews?.chainId ?? '',
      DefaultLanguageCode: 'en-US',
      Currencies: [{ Currency: 'EUR', IsDefault: true, IsEnabled: true }],
    },
    PaymentCardStorage: { PublicKey: '1100016827' },
  };
};

/** Operation paths after `/api/connector/v1/`; paths are case-sensitive (mews.md §1, §12.16). */
export const mewsOperations: Record<string, Operation> = {
  'reservations/getAll/2023-06-06': reservationsGetAll,
  'customers/getAll': customersGetAll,
  'services/getAll': servicesGetAll,
  'resources/getAll': resourcesGetAll,
  'resourceCategories/getAll': resourceCategoriesGetAll,
  'resourceCategoryAssignments/getAll': resourceCategoryAssignmentsGetAll,
  'resourceAccessTokens/getAll': accessTokensGetAll,
  'resourceAccessTokens/add': accessTokensAdd,
  'resourceAccessTokens/update': accessTokensUpdate,
  'resourceAccessTokens/delete': accessTokensDelete,
  'serviceOrderNotes/getAll': notesGetAll,
  'serviceOrderNotes/add': notesAdd,
  'serviceOrderNotes/update': notesUpdate,
  'serviceOrderNotes/delete': notesDelete,
  'configuration/get': configurationGet,
};
