import { describe, expect, it } from 'vitest';
import { MewsClient } from '../src/index.js';
import type { MewsFake } from './support/mews-fake.js';
import { instantSleep, newFake, useMsw } from './support/setup.js';

const server = useMsw();

function clientFor(fake: MewsFake, extra: Partial<ConstructorParameters<typeof MewsClient>[0]> = {}) {
  server.use(...fake.handlers());
  return new MewsClient({
    baseUrl: fake.baseUrl,
    clientToken: fake.clientToken,
    accessToken: fake.accessToken,
    client: 'Brafa Test 1.0.0',
    sleep: instantSleep,
    ...extra,
  });
}

const auth = (fake: MewsFake) => ({
  ClientToken: fake.clientToken,
  AccessToken: fake.accessToken,
  Client: 'Brafa Test 1.0.0',
});

async function drain<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

describe('request bodies, one per operation', () => {
  it('reservations/getAll/2023-06-06 sends auth, filters, explicit states and Limitation', async () => {
    const fake = newFake();
    const client = clientFor(fake, { reservationPageSize: 50 });
    await drain(
      client.reservations({
        serviceIds: ['S1'],
        colliding: { start: new Date('2026-05-01T00:00:00.000Z'), end: new Date('2026-05-08T00:00:00Z') },
        states: ['Confirmed', 'Canceled'],
      }),
    );
    expect(fake.calls('reservations/getAll/2023-06-06').map((c) => c.body)).toEqual([
      {
        ...auth(fake),
        ServiceIds: ['S1'],
        CollidingUtc: { StartUtc: '2026-05-01T00:00:00Z', EndUtc: '2026-05-08T00:00:00Z' },
        States: ['Confirmed', 'Canceled'],
        Limitation: { Count: 50 },
      },
    ]);
  });

  it('configuration/get sends only the auth fields and returns the enterprise time zone', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    const config = await client.configuration();
    expect(config.Enterprise).toMatchObject({ Id: fake.enterpriseId, TimeZoneIdentifier: 'Europe/Prague' });
    expect(fake.calls('configuration/get')[0]!.body).toEqual(auth(fake));
  });

  it('reservations by id with an UpdatedUtc window', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await drain(
      client.reservations({
        reservationIds: ['R1', 'R2'],
        updated: { start: new Date('2026-04-01T00:00:00Z'), end: new Date('2026-04-01T01:00:00Z') },
        states: ['Confirmed'],
      }),
    );
    expect(fake.calls('reservations/getAll/2023-06-06')[0]!.body).toEqual({
      ...auth(fake),
      ReservationIds: ['R1', 'R2'],
      UpdatedUtc: { StartUtc: '2026-04-01T00:00:00Z', EndUtc: '2026-04-01T01:00:00Z' },
      States: ['Confirmed'],
      Limitation: { Count: 200 },
    });
  });

  it('customers/getAll asks for the Customers extent, de-duplicated ids', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await client.customers(['C1', 'C2', 'C1']);
    expect(fake.calls('customers/getAll')[0]!.body).toEqual({
      ...auth(fake),
      CustomerIds: ['C1', 'C2'],
      Extent: { Customers: true, Addresses: false },
      Limitation: { Count: 1000 },
    });
  });

  it('resources, categories, assignments and services', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await client.resources(['X1']);
    await client.resources();
    await client.resourceCategories(['S1']);
    await client.resourceCategoryAssignments(['K1']);
    await client.services();
    const bodies = fake.requests.map((r) => [r.operation, r.body]);
    expect(bodies).toEqual([
      [
        'resources/getAll',
        {
          ...auth(fake),
          ResourceIds: ['X1'],
          Extent: { Resources: true, Inactive: false },
          Limitation: { Count: 1000 },
        },
      ],
      [
        'resources/getAll',
        { ...auth(fake), Extent: { Resources: true, Inactive: false }, Limitation: { Count: 1000 } },
      ],
      [
        'resourceCategories/getAll',
        { ...auth(fake), ServiceIds: ['S1'], ActivityStates: ['Active'], Limitation: { Count: 1000 } },
      ],
      [
        'resourceCategoryAssignments/getAll',
        {
          ...auth(fake),
          ResourceCategoryIds: ['K1'],
          ActivityStates: ['Active'],
          Limitation: { Count: 1000 },
        },
      ],
      ['services/getAll', { ...auth(fake), Limitation: { Count: 1000 } }],
    ]);
  });

  it('portfolio tokens: EnterpriseIds goes on every read when configured', async () => {
    const fake = newFake();
    const client = clientFor(fake, { enterpriseIds: ['E1'] });
    await client.services();
    await client.resourceAccessTokens(['R1']);
    for (const call of fake.requests) expect(call.body.EnterpriseIds).toEqual(['E1']);
  });

  it('resourceAccessTokens getAll/add/update/delete', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    fake.addReservation({ Id: 'R1', ServiceId: 'S1' });
    await client.resourceAccessTokens(['R1']);
    const [token] = await client.addResourceAccessTokens([
      {
        ServiceOrderId: 'R1',
        ResourceId: 'X1',
        Type: 'PinCode',
        Value: '583920',
        ValidityStartUtc: '2026-05-01T13:00:00Z',
        ValidityEndUtc: '2026-05-03T09:00:00Z',
        Permissions: {
          Bed: { Value: false },
          Room: { Value: true },
          Floor: { Value: false },
          Building: { Value: false },
        },
      },
    ]);
    await client.updateResourceAccessTokens([
      {
        ResourceAccessTokenId: token!.Id,
        Value: { Value: '720461' },
        ValidityEndUtc: { Value: '2026-05-04T09:00:00Z' },
      },
    ]);
    await client.deleteResourceAccessTokens([token!.Id]);
    expect(fake.requests.map((r) => [r.operation, r.body])).toEqual([
      [
        'resourceAccessTokens/getAll',
        { ...auth(fake), ServiceOrderIds: ['R1'], ActivityStates: ['Active'], Limitation: { Count: 1000 } },
      ],
      [
        'resourceAccessTokens/add',
        {
          ...auth(fake),
          ResourceAccessTokenParameters: [
            {
              ServiceOrderId: 'R1',
              ResourceId: 'X1',
              Type: 'PinCode',
              Value: '583920',
              ValidityStartUtc: '2026-05-01T13:00:00Z',
              ValidityEndUtc: '2026-05-03T09:00:00Z',
              Permissions: {
                Bed: { Value: false },
                Room: { Value: true },
                Floor: { Value: false },
                Building: { Value: false },
              },
            },
          ],
        },
      ],
      [
        'resourceAccessTokens/update',
        {
          ...auth(fake),
          ResourceAccessTokenUpdates: [
            {
              ResourceAccessTokenId: token!.Id,
              Value: { Value: '720461' },
              ValidityEndUtc: { Value: '2026-05-04T09:00:00Z' },
            },
          ],
        },
      ],
      ['resourceAccessTokens/delete', { ...auth(fake), Ids: [token!.Id] }],
    ]);
    expect(fake.tokens.get(token!.Id)).toMatchObject({ Value: '720461', IsActive: false });
  });

  it('serviceOrderNotes getAll/add/update/delete', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await client.serviceOrderNotes(['R1']);
    const [note] = await client.addServiceOrderNotes([{ ServiceOrderId: 'R1', Text: 'hello' }]);
    await client.updateServiceOrderNotes([{ ServiceOrderNoteId: note!.Id, Text: { Value: 'bye' } }]);
    await client.deleteServiceOrderNotes([note!.Id]);
    expect(fake.requests.map((r) => [r.operation, r.body])).toEqual([
      [
        'serviceOrderNotes/getAll',
        { ...auth(fake), ServiceOrderIds: ['R1'], Types: ['General'], Limitation: { Count: 1000 } },
      ],
      [
        'serviceOrderNotes/add',
        { ...auth(fake), ServiceOrderNotes: [{ ServiceOrderId: 'R1', Text: 'hello' }] },
      ],
      [
        'serviceOrderNotes/update',
        {
          ...auth(fake),
          ServiceOrderNoteUpdates: [{ ServiceOrderNoteId: note!.Id, Text: { Value: 'bye' } }],
        },
      ],
      ['serviceOrderNotes/delete', { ...auth(fake), ServiceOrderNoteIds: [note!.Id] }],
    ]);
    expect(fake.notes.size).toBe(0);
  });

  it('refuses a write batch over 1,000 items before calling MEWS', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await expect(
      client.deleteResourceAccessTokens(Array.from({ length: 1001 }, (_, i) => `T${i}`)),
    ).rejects.toThrow(/at most 1000/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('paging, chunking and windows', () => {
  it('walks three pages by cursor and stops on the short last page', async () => {
    const fake = newFake();
    const client = clientFor(fake, { reservationPageSize: 2 });
    for (let i = 0; i < 5; i++) fake.addReservation({ ServiceId: 'S1' });
    const all = await drain(
      client.reservations({ states: ['Confirmed'], reservationIds: [...fake.reservations.keys()] }),
    );
    expect(all).toHaveLength(5);
    const calls = fake.calls('reservations/getAll/2023-06-06');
    expect(calls.map((c) => c.body.Limitation)).toEqual([
      { Count: 2 },
      { Count: 2, Cursor: (all[1] as { Id: string }).Id },
      { Count: 2, Cursor: (all[3] as { Id: string }).Id },
    ]);
  });

  it('stops when the cursor is null even if the page was full', async () => {
    let calls = 0;
    const client = new MewsClient({
      baseUrl: 'http://127.0.0.1:1',
      clientToken: 'c-token',
      accessToken: `a-token-${Math.random()}`,
      client: 'x',
      pageSize: 1,
      fetch: async () => {
        calls++;
        return Response.json({ Services: [{ Id: 'S1', IsActive: true }], Cursor: null });
      },
    });
    expect(await client.services()).toHaveLength(1);
    expect(calls).toBe(1);
  });

  it('treats a missing Cursor as the end (as in the official tokens example)', async () => {
    let calls = 0;
    const client = new MewsClient({
      baseUrl: 'http://127.0.0.1:1',
      clientToken: 'c-token',
      accessToken: `a-token-${Math.random()}`,
      client: 'x',
      pageSize: 1,
      fetch: async () => {
        calls++;
        return Response.json({ Services: [{ Id: 'S1', IsActive: true }] });
      },
    });
    expect(await client.services()).toHaveLength(1);
    expect(calls).toBe(1);
  });

  it('reports a repeating cursor instead of looping forever', async () => {
    const client = new MewsClient({
      baseUrl: 'http://127.0.0.1:1',
      clientToken: 'c-token',
      accessToken: `a-token-${Math.random()}`,
      client: 'x',
      pageSize: 1,
      fetch: async () => Response.json({ Services: [{ Id: 'S1', IsActive: true }], Cursor: 'same' }),
    });
    await expect(client.services()).rejects.toThrow(/repeated cursor/);
  });

  it('chunks more than 1,000 ids into calls of at most 1,000', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    const ids = Array.from({ length: 2345 }, (_, i) => `C${i}`);
    await client.customers(ids);
    const sent = fake.calls('customers/getAll').map((c) => c.body.CustomerIds as string[]);
    expect(sent.map((s) => s.length)).toEqual([1000, 1000, 345]);
    expect(sent.flat()).toEqual(ids);
  });

  it('splits a 4-month window into contiguous ≤ 3-month intervals', async () => {
    const fake = newFake();
    const client = clientFor(fake);
    await drain(
      client.reservations({
        colliding: { start: new Date('2026-01-15T00:00:00Z'), end: new Date('2026-05-15T00:00:00Z') },
        states: ['Confirmed'],
      }),
    );
    // The fake answers 400 to any interval over 3 months, so reaching here proves the split.
    expect(fake.calls('reservations/getAll/2023-06-06').map((c) => c.body.CollidingUtc)).toEqual([
      { StartUtc: '2026-01-15T00:00:00Z', EndUtc: '2026-04-15T00:00:00Z' },
      { StartUtc: '2026-04-15T00:00:00Z', EndUtc: '2026-05-15T00:00:00Z' },
    ]);
  });
});
