import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { reservationSchema, resourceAccessTokenSchema } from '../src/client/schemas.js';
import type { ReservationQuery } from '../src/index.js';
import { MewsClient } from '../src/index.js';
import { mapReservation } from '../src/mapping/reservation.js';
import { toUnitSources } from '../src/mapping/units.js';
import { newFake, providerFor, useMsw } from './support/setup.js';

/** The official MEWS examples, byte for byte from the reference (see fixtures/official/README.md). */
function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/official/${name}.json`, import.meta.url), 'utf8'));
}

const server = useMsw();

/** A MEWS that answers every operation with its official example. */
function officialServer(baseUrl: string) {
  const responses: Record<string, string> = {
    'reservations/getAll/2023-06-06': 'reservations-getAll-response',
    'customers/getAll': 'customers-getAll-response',
    'services/getAll': 'services-getAll-response',
    'resources/getAll': 'resources-getAll-response',
    'resourceCategories/getAll': 'resourceCategories-getAll-response',
    'resourceCategoryAssignments/getAll': 'resourceCategoryAssignments-getAll-response',
    'resourceAccessTokens/getAll': 'resourceAccessTokens-getAll-response',
    'resourceAccessTokens/add': 'resourceAccessTokens-getAll-response',
    'resourceAccessTokens/update': 'resourceAccessTokens-getAll-response',
    'serviceOrderNotes/getAll': 'serviceOrderNotes-getAll-response',
    'serviceOrderNotes/add': 'serviceOrderNotes-add-response',
    'serviceOrderNotes/update': 'serviceOrderNotes-add-response',
  };
  const bodies: Array<[string, Record<string, unknown>]> = [];
  server.use(
    http.post(`${baseUrl}/api/connector/v1/*`, async ({ request }) => {
      const op = new URL(request.url).pathname.replace('/api/connector/v1/', '');
      bodies.push([op, (await request.json()) as Record<string, unknown>]);
      const name = responses[op];
      return HttpResponse.json(name ? example(name) : {});
    }),
  );
  return bodies;
}

const auth = example('auth-request');
const demoClient = (baseUrl: string) =>
  new MewsClient({
    baseUrl,
    clientToken: auth.ClientToken as string,
    accessToken: `${auth.AccessToken as string}`,
    client: auth.Client as string,
    rateLimit: false,
  });

describe('official response examples parse', () => {
  const baseUrl = 'http://127.0.0.1:4011';

  it('every read operation accepts its official response', async () => {
    officialServer(baseUrl);
    const client = demoClient(baseUrl);
    const query: ReservationQuery = { states: ['Confirmed'], reservationIds: ['x'] };
    const pages: unknown[][] = [];
    for await (const p of client.reservations(query)) pages.push(p);
    expect(pages.flat()).toHaveLength(1);
    expect(reservationSchema.parse(pages.flat()[0])).toMatchObject({
      Id: '0f515589-99b4-423d-b83a-b237009f0509',
    });
    expect((await client.customers(['x']))[0]).toMatchObject({ FirstName: 'John', LastName: 'Smith' });
    expect((await client.services()).map((s) => s.Name)).toEqual(['Restaurant', 'Accommodation']);
    expect((await client.resources()).map((r) => r.Name)).toEqual(['101', '101A', 'Suite 1']);
    expect(await client.resourceCategories(['x'])).toHaveLength(2);
    expect(await client.resourceCategoryAssignments(['x'])).toHaveLength(2);
    expect((await client.resourceAccessTokens(['x']))[0]).toMatchObject({
      Value: '1234#',
      Permissions: { Bed: true },
    });
    expect((await client.serviceOrderNotes(['x']))[0]).toMatchObject({ Text: 'Shaken, not stirred.' });
  });

  it('write operations accept their official responses', async () => {
    officialServer(baseUrl);
    const client = demoClient(baseUrl);
    const params = example('resourceAccessTokens-add-request').ResourceAccessTokenParameters as never[];
    expect(await client.addResourceAccessTokens(params)).toHaveLength(1);
    const updates = example('resourceAccessTokens-update-request').ResourceAccessTokenUpdates as never[];
    expect(await client.updateResourceAccessTokens(updates)).toHaveLength(1);
    await expect(
      client.deleteResourceAccessTokens(['35d4b117-4e60-44a3-9580-c582117eff98']),
    ).resolves.toBeUndefined();
    expect(await client.addServiceOrderNotes([{ ServiceOrderId: 'x', Text: 't' }])).toHaveLength(1);
    expect(
      await client.updateServiceOrderNotes([{ ServiceOrderNoteId: 'x', Text: { Value: 't' } }]),
    ).toHaveLength(1);
    await expect(client.deleteServiceOrderNotes(['x'])).resolves.toBeUndefined();
  });

  it('the official reservation + customer become the expected booking', () => {
    const reservation = (example('reservations-getAll-response').Reservations as unknown[])[0];
    const customer = (example('customers-getAll-response').Customers as Array<{ Id: string }>)[0]!;
    const mapped = mapReservation(reservation, {
      propertyId: 'P1',
      timezone: 'America/New_York',
      enterpriseId: null,
      customers: new Map([[customer.Id, customer]]),
      mappings: null,
    });
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.booking).toMatchObject({
      bookingId: '0f515589-99b4-423d-b83a-b237009f0509',
      resourceId: '20e00c32-d561-4008-8609-82d8aa525714',
      guestName: 'John Smith',
      arrivalDate: '2023-04-23',
      departureDate: '2023-04-25',
      checkInAt: new Date('2023-04-23T14:00:00Z'),
      checkOutAt: new Date('2023-04-25T12:00:00Z'),
      status: 'confirmed',
      referenceNumber: '52',
      externalIds: expect.objectContaining({
        serviceOrderId: '0f515589-99b4-423d-b83a-b237009f0509',
        serviceId: 'bd26d8db-86da-4f96-9efc-e5a4654a4a94',
        groupId: '94843f6f-3be3-481b-a1c7-06458774c3df',
        channelNumber: 'TW48ZP',
      }),
    });
  });

  it('the official categories and assignments map resources to units', () => {
    const categories = example('resourceCategories-getAll-response').ResourceCategories as never[];
    const assignments = example('resourceCategoryAssignments-getAll-response')
      .ResourceCategoryAssignments as never[];
    const resources = [
      { Id: 'e5a34a69-d35e-4e85-a645-a9bc4ee3a80f', Name: 'Bed 1 in 12', IsActive: true },
      { Id: 'unassigned', Name: '999', IsActive: true },
    ];
    expect(toUnitSources(resources, categories, assignments)).toEqual([
      {
        resourceId: 'e5a34a69-d35e-4e85-a645-a9bc4ee3a80f',
        resourceName: 'Bed 1 in 12',
        roomId: '5c0804f9-d03a-4b13-a57d-b00300781a41',
        unitName: 'Bed 1 in 12',
      },
    ]);
  });

  it('the official token example parses with plain-boolean permissions', () => {
    const token = (example('resourceAccessTokens-getAll-response').ResourceAccessTokens as unknown[])[0];
    expect(resourceAccessTokenSchema.parse(token)).toMatchObject({ Type: 'PinCode', IsActive: true });
  });
});

describe('our requests have the shape of the official request examples', () => {
  /** Every key we send exists in the official example (request schemas have additionalProperties: false). */
  function keysWithin(ours: unknown, theirs: unknown, path = ''): void {
    if (!ours || typeof ours !== 'object' || Array.isArray(ours)) return;
    for (const [key, value] of Object.entries(ours)) {
      const other = (theirs as Record<string, unknown>)[key];
      expect(other, `${path}${key} is not in the official example`).not.toBeUndefined();
      if (Array.isArray(value)) keysWithin(value[0], (other as unknown[])[0], `${path}${key}.0.`);
      else keysWithin(value, other, `${path}${key}.`);
    }
  }

  it('tokens: getAll, add, update, delete; notes: getAll, add, update, delete', async () => {
    const fake = newFake();
    server.use(...fake.handlers());
    fake.addReservation({ Id: 'R1', ServiceId: 'S1' });
    fake.addToken({ ServiceOrderId: 'R1', ResourceId: 'X1', Value: '1' });
    const provider = providerFor(fake, { serviceIds: ['S1'], useServiceOrderNotes: true });
    const item = {
      propertyId: 'P1',
      bookingId: 'R1',
      action: 'upsert' as const,
      passcode: '583920',
      validFrom: new Date('2026-05-01T13:00:00Z'),
      validTo: new Date('2026-05-03T09:00:00Z'),
      resourceId: 'X1',
      roomId: null,
      unitName: null,
      externalIds: {},
      ref: null,
    };
    await provider.writeBack!([item]); // getAll + update, notes getAll + add
    await provider.writeBack!([{ ...item, passcode: '720461' }]); // note update
    await provider.writeBack!([{ ...item, resourceId: 'X2' }]); // add on another resource
    await provider.writeBack!([{ ...item, action: 'delete', passcode: null }]); // token + note delete
    const examples: Record<string, string> = {
      'resourceAccessTokens/getAll': 'resourceAccessTokens-getAll-request',
      'resourceAccessTokens/add': 'resourceAccessTokens-add-request',
      'resourceAccessTokens/update': 'resourceAccessTokens-update-request',
      'resourceAccessTokens/delete': 'resourceAccessTokens-delete-request',
      'serviceOrderNotes/getAll': 'serviceOrderNotes-getAll-request',
      'serviceOrderNotes/add': 'serviceOrderNotes-add-request',
      'serviceOrderNotes/update': 'serviceOrderNotes-update-request',
      'serviceOrderNotes/delete': 'serviceOrderNotes-delete-request',
    };
    const seen = new Set<string>();
    for (const { operation, body } of fake.requests) {
      const name = examples[operation];
      expect(name, operation).toBeDefined();
      const official = example(name!);
      // The older update example also carried `Value` (updatable since Jan 2025, reference §9.4).
      if (operation === 'resourceAccessTokens/update') {
        (official.ResourceAccessTokenUpdates as Array<Record<string, unknown>>)[0]!.Value = {
          Value: '1234#',
        };
      }
      // `Types` is a documented filter that the official example leaves out (reference §10.1).
      if (operation === 'serviceOrderNotes/getAll') official.Types = ['General'];
      keysWithin(body, official);
      seen.add(operation);
    }
    expect([...seen].sort()).toEqual(Object.keys(examples).sort());
  });
});
