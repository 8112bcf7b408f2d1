import { describe, expect, it } from 'vitest';
import { makeSandbox, mews, mewsAuth, type Obj } from './helpers.js';

const ALL_STATES = ['Inquired', 'Confirmed', 'Started', 'Processed', 'Canceled', 'Optional', 'Requested'];

function setup(reservations = 25) {
  return makeSandbox({
    properties: [
      { id: 'P1', provider: 'mews', units: 12, reservations: { count: reservations, cancelledRatio: 0.2 } },
    ],
  });
}

type Reservations = {
  Reservations: Array<{
    Id: string;
    State: string;
    AssignedResourceId: string | null;
    ScheduledStartUtc: string;
  }>;
  Cursor: string | null;
};

describe('MEWS auth and transport', () => {
  it('rejects a wrong AccessToken with 401 and the MEWS error body', async () => {
    const { sandbox } = setup();
    const res = await mews<Obj>(sandbox, 'configuration/get', { ...mewsAuth(sandbox), AccessToken: 'nope' });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      Message: expect.any(String),
      RequestId: expect.any(String),
      Details: null,
    });
    expect(res.headers.get('Request-Id')).toBe(res.json.RequestId);
  });

  it('rejects a wrong ClientToken and a missing Client with 401', async () => {
    const { sandbox } = setup();
    const auth = mewsAuth(sandbox);
    expect((await mews(sandbox, 'configuration/get', { ...auth, ClientToken: 'x' })).status).toBe(401);
    const { Client: _client, ...noClient } = auth;
    expect((await mews(sandbox, 'configuration/get', noClient)).status).toBe(401);
  });

  it('answers 404 for a wrong-case path or a trailing slash, 400 for invalid JSON and unknown properties', async () => {
    const { sandbox } = setup();
    const auth = mewsAuth(sandbox);
    expect((await mews(sandbox, 'configuration/Get', auth)).status).toBe(404);
    expect((await mews(sandbox, 'configuration/get/', auth)).status).toBe(404);
    const trailingComma = `${JSON.stringify(auth).slice(0, -1)},}`;
    const bad = await mews<Obj>(sandbox, 'configuration/get', trailingComma);
    expect(bad.status).toBe(400);
    expect(bad.json.Message).toBe('Invalid JSON');
    const unknown = await mews<Obj>(sandbox, 'configuration/get', { ...auth, Foo: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.Message).toContain('Foo');
  });

  it('returns the enterprise time zone from configuration/get', async () => {
    const { sandbox } = setup();
    const res = await mews<{ Enterprise: { TimeZoneIdentifier: string; Id: string } }>(
      sandbox,
      'configuration/get',
      mewsAuth(sandbox),
    );
    expect(res.status).toBe(200);
    expect(res.json.Enterprise.TimeZoneIdentifier).toBe('Europe/Prague');
    expect(res.json.Enterprise.Id).toBe(sandbox.credentials().mews.properties.P1?.enterpriseId);
  });
});

describe('MEWS reservations paging and filters', () => {
  it('pages newest first with Limitation/Cursor until an empty page with a null Cursor', async () => {
    const { sandbox } = setup(25);
    const total = sandbox.scenario.reservations('P1').length;
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res: { json: Reservations } = await mews<Reservations>(
        sandbox,
        'reservations/getAll/2023-06-06',
        {
          ...mewsAuth(sandbox),
          States: ALL_STATES,
          Limitation: { Count: 10, ...(cursor ? { Cursor: cursor } : {}) },
        },
      );
      sizes.push(res.json.Reservations.length);
      seen.push(...res.json.Reservations.map((r) => r.Id));
      if (res.json.Cursor === null) break;
      expect(res.json.Cursor).toBe(res.json.Reservations.at(-1)?.Id);
      cursor = res.json.Cursor;
    }
    expect(new Set(seen).size).toBe(total);
    expect(sizes.at(-1)).toBe(0);
    expect(sizes.slice(0, -1).every((n, i, all) => n === 10 || i === all.length - 1)).toBe(true);
    // Newest first: creation order reversed.
    expect(seen).toEqual(
      sandbox.scenario
        .reservations('P1')
        .map((r) => r.id)
        .reverse(),
    );
  });

  it('requires Limitation and rejects Count above 1000 or an unknown Cursor', async () => {
    const { sandbox } = setup();
    const auth = mewsAuth(sandbox);
    expect((await mews(sandbox, 'reservations/getAll/2023-06-06', auth)).status).toBe(400);
    expect(
      (await mews(sandbox, 'reservations/getAll/2023-06-06', { ...auth, Limitation: { Count: 1001 } }))
        .status,
    ).toBe(400);
    const res = await mews(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      Limitation: { Count: 10, Cursor: '00000000-0000-4000-8000-000000000000' },
    });
    expect(res.status).toBe(400);
  });

  it('filters by ReservationIds, States, ServiceIds and CollidingUtc (half-open)', async () => {
    const { sandbox } = setup(25);
    const auth = mewsAuth(sandbox);
    const all = sandbox.scenario.reservations('P1');
    const first = all[0];
    if (!first) throw new Error('no reservations');
    const byId = await mews<Reservations>(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      ReservationIds: [first.id],
      Limitation: { Count: 100 },
    });
    expect(byId.json.Reservations.map((r) => r.Id)).toEqual([first.id]);

    const cancelled = await mews<Reservations>(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      States: ['Canceled'],
      Limitation: { Count: 100 },
    });
    expect(cancelled.json.Reservations.length).toBe(all.filter((r) => r.state === 'Canceled').length);
    expect(cancelled.json.Reservations.every((r) => r.State === 'Canceled')).toBe(true);

    const otherService = await mews<Reservations>(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      ServiceIds: ['00000000-0000-4000-8000-00000000abcd'],
      Limitation: { Count: 100 },
    });
    expect(otherService.json.Reservations).toEqual([]);

    // A window ending exactly at a stay's start does not collide with it.
    const window = { StartUtc: '2026-03-01T00:00:00Z', EndUtc: first.startUtc.toISOString() };
    const colliding = await mews<Reservations>(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      ReservationIds: [first.id],
      CollidingUtc: window,
      Limitation: { Count: 100 },
    });
    expect(colliding.json.Reservations).toEqual([]);
  });

  it('sees a date change through UpdatedUtc and a room move through AssignedResourceId', async () => {
    const { sandbox, clock } = setup(10);
    const auth = mewsAuth(sandbox);
    const target = sandbox.scenario
      .reservations('P1')
      .find((r) => r.state === 'Confirmed' && r.unitName !== null);
    if (!target) throw new Error('no confirmed reservation');
    clock.advance(60_000);
    const since = clock.now().toISOString();
    clock.advance(60_000);
    sandbox.scenario.changeDates(target.id, { arrival: '2026-04-10', departure: '2026-04-12' });
    sandbox.scenario.moveRoom(target.id, '202');
    const res = await mews<Reservations>(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      UpdatedUtc: { StartUtc: since, EndUtc: '2026-03-02T00:00:00Z' },
      Limitation: { Count: 100 },
    });
    expect(res.json.Reservations.map((r) => r.Id)).toEqual([target.id]);
    expect(res.json.Reservations[0]?.ScheduledStartUtc).toBe('2026-04-10T13:00:00Z');
    const unit = sandbox.scenario.units('P1').find((u) => u.unitName === '202');
    expect(res.json.Reservations[0]?.AssignedResourceId).toBe(unit?.mewsResourceId);
  });
});

describe('MEWS 3-month limit on time filters', () => {
  it('accepts exactly 3 months and rejects longer intervals with 400', async () => {
    const { sandbox } = setup();
    const auth = mewsAuth(sandbox);
    const ok = await mews(sandbox, 'reservations/getAll/2023-06-06', {
      ...auth,
      CollidingUtc: { StartUtc: '2026-01-31T00:00:00Z', EndUtc: '2026-04-30T00:00:00Z' },
      Limitation: { Count: 10 },
    });
    expect(ok.status).toBe(200);
    for (const filter of ['CollidingUtc', 'UpdatedUtc', 'ScheduledStartUtc', 'CreatedUtc']) {
      const res = await mews<Obj>(sandbox, 'reservations/getAll/2023-06-06', {
        ...auth,
        [filter]: { StartUtc: '2026-01-01T00:00:00Z', EndUtc: '2026-04-01T00:00:01Z' },
        Limitation: { Count: 10 },
      });
      expect(res.status, filter).toBe(400);
      expect(String(res.json.Message)).toContain(filter);
    }
    const tokens = await mews(sandbox, 'resourceAccessTokens/getAll', {
      ...auth,
      CollidingUtc: { StartUtc: '2026-01-01T00:00:00Z', EndUtc: '2026-06-01T00:00:00Z' },
      Limitation: { Count: 10 },
    });
    expect(tokens.status).toBe(400);
  });
});

describe('MEWS rate limit', () => {
  it('allows 200 requests per AccessToken in a sliding 30 s window, then 429 with Retry-After', async () => {
    const { sandbox, clock } = setup(1);
    const auth = mewsAuth(sandbox);
    for (let i = 0; i < 200; i++) {
      const res = await mews(sandbox, 'configuration/get', auth);
      expect(res.status).toBe(200);
      if (i === 0) clock.advance(10_000);
    }
    const limited = await mews<Obj>(sandbox, 'configuration/get', auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('20');
    expect(limited.json.Message).toEqual(expect.any(String));
    // The window slides: once the first request is 30 s old, one slot frees up.
    clock.advance(20_000);
    expect((await mews(sandbox, 'configuration/get', auth)).status).toBe(200);
    expect((await mews(sandbox, 'configuration/get', auth)).status).toBe(429);
  });

  it('counts per AccessToken', async () => {
    const { sandbox } = makeSandbox(
      {
        properties: [
          { id: 'P1', provider: 'mews', units: 1 },
          { id: 'P2', provider: 'mews', units: 1 },
        ],
      },
      { mews: { rateLimit: { limit: 3, windowMs: 30_000 } } },
    );
    for (let i = 0; i < 3; i++) await mews(sandbox, 'configuration/get', mewsAuth(sandbox, 'P1'));
    expect((await mews(sandbox, 'configuration/get', mewsAuth(sandbox, 'P1'))).status).toBe(429);
    expect((await mews(sandbox, 'configuration/get', mewsAuth(sandbox, 'P2'))).status).toBe(200);
  });
});

type Tokens = {
  ResourceAccessTokens: Array<
    Obj & { Id: string; Value: string; Permissions: Obj; IsActive: boolean; ValidityEndUtc: string }
  >;
  Cursor?: string | null;
};

describe('MEWS resource access tokens', () => {
  it('adds (request wraps permissions in Value, response has plain booleans), updates, deletes and reads back', async () => {
    const { sandbox } = setup(5);
    const auth = mewsAuth(sandbox);
    const res = sandbox.scenario.reservations('P1')[0];
    if (!res) throw new Error('no reservation');
    const resourceId = sandbox.scenario.units('P1')[0]?.mewsResourceId;
    const added = await mews<Tokens>(sandbox, 'resourceAccessTokens/add', {
      ...auth,
      ResourceAccessTokenParameters: [
        {
          ServiceOrderId: res.id,
          ResourceId: resourceId,
          Type: 'PinCode',
          Value: '482913',
          ValidityStartUtc: '2026-03-02T14:00:00Z',
          ValidityEndUtc: '2026-03-05T10:00:00Z',
          Permissions: {
            Bed: { Value: false },
            Room: { Value: true },
            Floor: { Value: false },
            Building: { Value: false },
          },
        },
      ],
    });
    expect(added.status).toBe(200);
    const token = added.json.ResourceAccessTokens[0];
    expect(token?.Permissions).toEqual({ Bed: false, Room: true, Floor: false, Building: false });
    expect(sandbox.inspect.mewsTokens({ propertyId: 'P1' }).map((t) => t.Value)).toEqual(['482913']);

    const updated = await mews<Tokens>(sandbox, 'resourceAccessTokens/update', {
      ...auth,
      ResourceAccessTokenUpdates: [
        {
          ResourceAccessTokenId: token?.Id,
          ValidityEndUtc: { Value: '2026-03-06T10:00:00Z' },
          Value: { Value: '551739' },
        },
      ],
    });
    expect(updated.json.ResourceAccessTokens[0]).toMatchObject({
      Value: '551739',
      ValidityEndUtc: '2026-03-06T10:00:00Z',
    });

    // ServiceOrderId is not updatable: unknown property → 400.
    const notUpdatable = await mews(sandbox, 'resourceAccessTokens/update', {
      ...auth,
      ResourceAccessTokenUpdates: [{ ResourceAccessTokenId: token?.Id, ResourceId: resourceId }],
    });
    expect(notUpdatable.status).toBe(400);

    const read = await mews<Tokens>(sandbox, 'resourceAccessTokens/getAll', {
      ...auth,
      ServiceOrderIds: [res.id],
      Limitation: { Count: 10 },
    });
    expect(read.json.ResourceAccessTokens.map((t) => t.Id)).toEqual([token?.Id]);

    const deleted = await mews<Obj>(sandbox, 'resourceAccessTokens/delete', { ...auth, Ids: [token?.Id] });
    expect(deleted.json).toEqual({});
    const active = await mews<Tokens>(sandbox, 'resourceAccessTokens/getAll', {
      ...auth,
      ServiceOrderIds: [res.id],
      Limitation: { Count: 10 },
    });
    expect(active.json.ResourceAccessTokens).toEqual([]);
    const gone = await mews<Tokens>(sandbox, 'resourceAccessTokens/getAll', {
      ...auth,
      ServiceOrderIds: [res.id],
      ActivityStates: ['Deleted'],
      Limitation: { Count: 10 },
    });
    expect(gone.json.ResourceAccessTokens[0]?.IsActive).toBe(false);
  });

  it('is not idempotent: the same add twice makes two tokens', async () => {
    const { sandbox } = setup(2);
    const auth = mewsAuth(sandbox);
    const res = sandbox.scenario.reservations('P1')[0];
    const body = {
      ...auth,
      ResourceAccessTokenParameters: [
        {
          ServiceOrderId: res?.id,
          Type: 'PinCode',
          Value: '482913',
          ValidityStartUtc: '2026-03-02T14:00:00Z',
          ValidityEndUtc: '2026-03-05T10:00:00Z',
          Permissions: { Room: { Value: true } },
        },
      ],
    };
    await mews(sandbox, 'resourceAccessTokens/add', body);
    await mews(sandbox, 'resourceAccessTokens/add', body);
    expect(sandbox.inspect.mewsTokens({ serviceOrderId: res?.id })).toHaveLength(2);
  });

  it('requires one of its filters on getAll and a known ServiceOrderId on add', async () => {
    const { sandbox } = setup(2);
    const auth = mewsAuth(sandbox);
    expect(
      (await mews(sandbox, 'resourceAccessTokens/getAll', { ...auth, Limitation: { Count: 10 } })).status,
    ).toBe(400);
    const bad = await mews(sandbox, 'resourceAccessTokens/add', {
      ...auth,
      ResourceAccessTokenParameters: [
        {
          ServiceOrderId: '00000000-0000-4000-8000-000000000001',
          Type: 'PinCode',
          Value: '1',
          ValidityStartUtc: '2026-03-02T14:00:00Z',
          ValidityEndUtc: '2026-03-05T10:00:00Z',
          Permissions: {},
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(sandbox.inspect.mewsTokens()).toEqual([]);
  });
});

describe('MEWS notes, customers, rooms and services', () => {
  it('adds, reads, updates and deletes service order notes', async () => {
    const { sandbox } = setup(2);
    const auth = mewsAuth(sandbox);
    const id = sandbox.scenario.reservations('P1')[0]?.id;
    const added = await mews<{ ServiceOrderNotes: Array<{ Id: string; Type: string }> }>(
      sandbox,
      'serviceOrderNotes/add',
      {
        ...auth,
        ServiceOrderNotes: [{ ServiceOrderId: id, Text: 'Door code ends in 3' }],
      },
    );
    const note = added.json.ServiceOrderNotes[0];
    expect(note?.Type).toBe('General');
    await mews(sandbox, 'serviceOrderNotes/update', {
      ...auth,
      ServiceOrderNoteUpdates: [{ ServiceOrderNoteId: note?.Id, Text: { Value: 'updated' } }],
    });
    const read = await mews<{ ServiceOrderNotes: Array<{ Text: string }> }>(
      sandbox,
      'serviceOrderNotes/getAll',
      {
        ...auth,
        ServiceOrderIds: [id],
        Limitation: { Count: 10 },
      },
    );
    expect(read.json.ServiceOrderNotes.map((n) => n.Text)).toEqual(['updated']);
    expect(
      (await mews(sandbox, 'serviceOrderNotes/delete', { ...auth, ServiceOrderNoteIds: [note?.Id] })).json,
    ).toEqual({});
    expect(sandbox.inspect.mewsNotes()).toEqual([]);
  });

  it('returns customers for reservation AccountIds and requires a filter and the Extent', async () => {
    const { sandbox } = setup(3);
    const auth = mewsAuth(sandbox);
    const ids = sandbox.scenario.reservations('P1').map((r) => r.guestId);
    const res = await mews<{ Customers: Array<{ Id: string; LastName: string }> }>(
      sandbox,
      'customers/getAll',
      {
        ...auth,
        CustomerIds: ids,
        Extent: { Customers: true, Addresses: false },
        Limitation: { Count: 100 },
      },
    );
    expect(res.json.Customers.map((c) => c.Id).sort()).toEqual([...ids].sort());
    expect(
      (
        await mews(sandbox, 'customers/getAll', {
          ...auth,
          Extent: { Customers: true },
          Limitation: { Count: 10 },
        })
      ).status,
    ).toBe(400);
    expect(
      (await mews(sandbox, 'customers/getAll', { ...auth, CustomerIds: ids, Limitation: { Count: 10 } }))
        .status,
    ).toBe(400);
  });

  it('maps services → categories → assignments → resources', async () => {
    const { sandbox } = setup(0);
    const auth = mewsAuth(sandbox);
    const services = await mews<{
      Services: Array<{ Id: string; Data: { Discriminator: string; Value: Obj } }>;
    }>(sandbox, 'services/getAll', {
      ...auth,
      Limitation: { Count: 10 },
    });
    const service = services.json.Services[0];
    expect(service?.Data).toMatchObject({
      Discriminator: 'Bookable',
      Value: { StartOffset: 'P0M0DT15H0M0S' },
    });
    const categories = await mews<{ ResourceCategories: Array<{ Id: string }> }>(
      sandbox,
      'resourceCategories/getAll',
      {
        ...auth,
        ServiceIds: [service?.Id],
        Limitation: { Count: 100 },
      },
    );
    expect(categories.json.ResourceCategories).toHaveLength(3);
    const assignments = await mews<{ ResourceCategoryAssignments: Array<{ ResourceId: string }> }>(
      sandbox,
      'resourceCategoryAssignments/getAll',
      {
        ...auth,
        ResourceCategoryIds: categories.json.ResourceCategories.map((c) => c.Id),
        Limitation: { Count: 100 },
      },
    );
    const resources = await mews<{ Resources: Array<{ Id: string; Name: string }> }>(
      sandbox,
      'resources/getAll',
      {
        ...auth,
        Extent: { Resources: true, Inactive: false },
        Limitation: { Count: 1000 },
      },
    );
    expect(resources.json.Resources).toHaveLength(12);
    expect(new Set(assignments.json.ResourceCategoryAssignments.map((a) => a.ResourceId))).toEqual(
      new Set(resources.json.Resources.map((r) => r.Id)),
    );
    expect(
      (await mews(sandbox, 'resourceCategories/getAll', { ...auth, Limitation: { Count: 10 } })).status,
    ).toBe(400);
    expect((await mews(sandbox, 'resources/getAll', { ...auth, Limitation: { Count: 10 } })).status).toBe(
      400,
    );
  });
});
