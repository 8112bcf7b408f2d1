import { type BookingPage, createEngine, type PmsProvider } from '@brafa/core';
import { MemoryLock, MemoryStore, makeProperty } from '@brafa/core/testing';
import { createBeds24Provider } from '@brafa/provider-beds24';
import { createMewsProvider } from '@brafa/provider-mews';
import { createSandbox, type Sandbox } from '@brafa/sandbox';
import fc from 'fast-check';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 9 §3: hostile provider responses. Real pages from the sandbox get fuzzed records mixed
 * in (fields missing, wrong types, nulls, 200 kB strings, unknown enum values, records that
 * are not objects). Each bad record must be quarantined with a short reason naming what is
 * wrong — or, when the damage leaves a valid record, be read as one; every good record must
 * still come through; nothing may throw.
 */
const MEWS = 'https://api.mews-demo.com';
const BEDS24 = 'https://beds24.com/api/v2';
const HUGE = 'x'.repeat(200_000);

const sandbox: Sandbox = createSandbox({
  scenario: {
    seed: 99,
    properties: [
      {
        id: 'P1',
        provider: 'mews',
        units: 6,
        reservations: { count: 12, withinDays: 20, cancelledRatio: 0.1 },
      },
      {
        id: 'B1',
        provider: 'beds24',
        units: 6,
        reservations: { count: 12, withinDays: 20, cancelledRatio: 0.1 },
      },
    ],
  },
});
/** Records injected into the next reservations / bookings page (then cleared). */
let inject: unknown[] = [];
const server = setupServer(
  http.post(`${MEWS}/api/connector/v1/reservations/getAll/2023-06-06`, async ({ request }) => {
    const body = (await (await sandbox.handle('mews', request)).json()) as { Reservations: unknown[] };
    body.Reservations.push(...inject.splice(0));
    return HttpResponse.json(body);
  }),
  http.get(`${BEDS24}/bookings`, async ({ request }) => {
    const body = (await (await sandbox.handle('beds24', request)).json()) as { data: unknown[] };
    body.data.push(...inject.splice(0));
    return HttpResponse.json(body);
  }),
  ...sandbox.handlers(),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  inject = [];
});
afterAll(() => server.close());

function mewsProvider(): PmsProvider {
  const creds = sandbox.credentials().mews;
  const p = creds.properties.P1!;
  const units = sandbox.scenario.units('P1');
  return createMewsProvider({
    propertyId: 'P1',
    timezone: 'Europe/Prague',
    baseUrl: MEWS,
    clientToken: creds.clientToken,
    accessToken: p.accessToken,
    client: 'BRAFA fuzz 0.1.0',
    serviceId: p.serviceId,
    enterpriseId: p.enterpriseId,
    retry: { maxRetries: 0 },
    unitMappings: async () =>
      units.map((u) => ({
        propertyId: 'P1',
        resourceId: u.mewsResourceId,
        resourceName: u.unitName,
        roomId: u.category,
        unitName: u.unitName,
        primary: true,
      })),
  });
}

function beds24Provider(): PmsProvider {
  const b = sandbox.credentials().beds24.B1!;
  return createBeds24Provider({
    propertyId: 'B1',
    beds24PropertyId: b.propertyId,
    timezone: 'Europe/Prague',
    refreshToken: b.refreshToken,
    baseUrl: BEDS24,
  });
}

const window = () => ({
  start: new Date(Date.now() - 7 * 86_400_000),
  end: new Date(Date.now() + 30 * 86_400_000),
});

async function fetchAll(provider: PmsProvider): Promise<BookingPage> {
  const out: BookingPage = { bookings: [], quarantined: [] };
  for await (const page of provider.fetchBookings({ window: window() })) {
    out.bookings.push(...page.bookings);
    out.quarantined.push(...page.quarantined);
  }
  return out;
}

/** Something no well-formed field holds. */
const badValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(''),
  fc.constant(HUGE),
  fc.string({ maxLength: 8 }),
  fc.constant('NotAKnownValue'),
  fc.constant('2026-13-45T99:99:99Z'),
  fc.constant({ nested: { deep: [1, 2, 3] } }),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
);

type Damage = { kind: 'delete'; field: string } | { kind: 'set'; field: string; value: unknown };

function damaged(fields: readonly string[]) {
  const damage: fc.Arbitrary<Damage> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), field: fc.constantFrom(...fields) }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...fields), value: badValue }),
  );
  // A damaged copy of a good record, or something that is not a record at all.
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(damage, { minLength: 1, maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constant(null), fc.integer(), fc.constant(HUGE), fc.constant([]))
        .map((v) => ({ whole: v })),
    },
  );
}

function apply(
  template: Record<string, unknown>,
  id: unknown,
  idField: string,
  spec: Damage[] | { whole: unknown },
) {
  if ('whole' in spec) return spec.whole;
  const copy: Record<string, unknown> = { ...structuredClone(template), [idField]: id };
  for (const d of spec) {
    if (d.kind === 'delete') delete copy[d.field];
    else copy[d.field] = d.value;
  }
  return copy;
}

interface Case {
  name: string;
  provider: () => PmsProvider;
  /** A good raw record to damage, taken from the sandbox's own answer. */
  template: () => Promise<Record<string, unknown>>;
  idField: string;
  freshId: fc.Arbitrary<string | number>;
  fields: readonly string[];
}

async function rawMewsReservation(): Promise<Record<string, unknown>> {
  const creds = sandbox.credentials().mews;
  const response = await sandbox.handle(
    'mews',
    new Request(`${MEWS}/api/connector/v1/reservations/getAll/2023-06-06`, {
      method: 'POST',
      body: JSON.stringify({
        ClientToken: creds.clientToken,
        AccessToken: creds.properties.P1!.accessToken,
        Client: 'BRAFA fuzz 0.1.0',
        ReservationIds: [sandbox.scenario.reservations('P1')[0]!.id],
        Limitation: { Count: 10 },
      }),
    }),
  );
  const body = (await response.json()) as { Reservations: Array<Record<string, unknown>> };
  return body.Reservations[0]!;
}

async function rawBeds24Booking(): Promise<Record<string, unknown>> {
  inject = [];
  const captured: Array<Record<string, unknown>> = [];
  server.use(
    http.get(
      `${BEDS24}/bookings`,
      async ({ request }) => {
        const body = (await (await sandbox.handle('beds24', request)).json()) as {
          data: Array<Record<string, unknown>>;
        };
        captured.push(...body.data);
        return HttpResponse.json(body);
      },
      { once: true },
    ),
  );
  await fetchAll(beds24Provider());
  return captured[0]!;
}

const cases: Case[] = [
  {
    name: 'MEWS reservations/getAll',
    provider: mewsProvider,
    template: rawMewsReservation,
    idField: 'Id',
    freshId: fc.uuid(),
    fields: [
      'Id',
      'ServiceId',
      'State',
      'ScheduledStartUtc',
      'ScheduledEndUtc',
      'AssignedResourceId',
      'AccountId',
      'AccountType',
      'Number',
      'GroupId',
      'UpdatedUtc',
      'RequestedResourceCategoryId',
    ],
  },
  {
    name: 'Beds24 GET /bookings',
    provider: beds24Provider,
    template: rawBeds24Booking,
    idField: 'id',
    freshId: fc.integer({ min: 90_000_000, max: 99_999_999 }),
    fields: [
      'id',
      'propertyId',
      'roomId',
      'unitId',
      'status',
      'arrival',
      'departure',
      'firstName',
      'lastName',
      'masterId',
      'apiReference',
      'reference',
    ],
  },
];

describe.each(cases)('fuzzed $name records', (c) => {
  it('are quarantined with a short reason or read as valid; good records all come through; nothing throws', async () => {
    const template = await c.template();
    const provider = c.provider();
    const good = await fetchAll(provider);
    expect(good.quarantined).toEqual([]);
    const goodIds = new Set(good.bookings.map((b) => b.bookingId));
    expect(goodIds.size).toBeGreaterThan(5);

    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(c.freshId, damaged(c.fields)), {
          minLength: 1,
          maxLength: 4,
          selector: ([id]) => id,
        }),
        async (specs) => {
          inject = specs.map(([id, spec]) => apply(template, id, c.idField, spec));
          const injected = inject.length;
          const page = await fetchAll(provider);
          // The page still carries every good booking.
          const ids = new Set(page.bookings.map((b) => b.bookingId));
          for (const id of goodIds) expect(ids.has(id), `good booking ${id} lost`).toBe(true);
          // Every injected record is accounted for: read as a booking, or quarantined.
          expect(page.bookings.length + page.quarantined.length).toBe(goodIds.size + injected);
          for (const q of page.quarantined) {
            expect(q.reason.length).toBeGreaterThan(10);
            // Short and about the record, never an echo of a 200 kB field.
            expect(q.reason.length).toBeLessThan(400);
          }
        },
      ),
      { numRuns: 60, seed: Number(process.env.BRAFA_FUZZ_SEED ?? 424242) },
    );
  });
});

describe('a quarantined record inside an engine sync', () => {
  it('is stored with its reason while the rest of the page is planned', async () => {
    const store = new MemoryStore();
    const provider = mewsProvider();
    const engine = createEngine({
      store,
      lock: new MemoryLock(),
      providers: () => provider,
      passcode: { secret: 'fuzz-passcode-secret-123' },
    });
    await store.upsertProperty(makeProperty({ id: 'P1', timezone: 'Europe/Prague' }));
    const units = sandbox.scenario.units('P1');
    await store.replaceLockAssignments(
      'P1',
      units.map((u) => ({
        propertyId: 'P1',
        lockId: String(u.lockId),
        scope: 'unit',
        roomId: u.category,
        unitName: u.unitName,
      })),
    );
    const template = await rawMewsReservation();
    inject = [
      { ...template, Id: 'bad-no-start', ScheduledStartUtc: undefined },
      { ...template, Id: 'bad-huge-state', State: HUGE },
      { ...template, Id: 'bad-type', ScheduledEndUtc: 12345 },
      null,
    ];
    const result = await engine.syncProperty('P1', { window: window() });
    const quarantine = await store.listQuarantine({ propertyId: 'P1' });
    expect(quarantine.map((q) => String(q.recordId)).sort()).toEqual(['bad-no-start', 'bad-type', 'null']);
    for (const q of quarantine) expect(q.reason).toMatch(/reservation|record/i);
    expect(quarantine.find((q) => q.recordId === 'bad-no-start')?.reason).toMatch(/ScheduledStartUtc/);
    // An unknown (here: absurd) state is not a crash: the booking is known and gets no code.
    const odd = await store.getBooking('P1', 'bad-huge-state');
    expect(odd?.status).toBe('unknown');
    expect(result.bookings).toBeGreaterThan(5);
    expect((await store.listAccessCodes({ propertyId: 'P1' })).length).toBeGreaterThan(0);
  });
});
