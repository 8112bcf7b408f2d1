import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createMewsProvider, type MewsProviderOptions } from '../../src/index.js';
import { MewsFake } from './mews-fake.js';

/** One msw server per test file; each test installs the handlers it needs. */
export function useMsw() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

let tokenSeq = 0;
/**
 * A fake with its own access token: the client-side rate limiter is shared per token for
 * the whole process, so tests must not share one budget by accident.
 */
export function newFake(): MewsFake {
  tokenSeq++;
  return new MewsFake({ accessToken: `FAKE-ACCESS-TOKEN-${process.pid}-${tokenSeq}` });
}

export const instantSleep = async (_ms: number) => {};

export interface Seeded {
  serviceId: string;
  categoryId: string;
  rooms: { r101: string; r102: string; r103: string };
  guests: { ada: string; bob: string };
  reservations: {
    confirmed: string;
    started: string;
    canceled: string;
    optional: string;
    unassigned: string;
  };
}

/** One enterprise: a bookable service, a category with rooms 101–103, five reservations. */
export function seed(fake: MewsFake): Seeded {
  const serviceId = fake.addService();
  const otherService = fake.addService({ Names: { 'en-US': 'Parking' } });
  const categoryId = fake.addCategory(serviceId);
  const r101 = fake.addResource('101', categoryId);
  const r102 = fake.addResource('102', categoryId);
  const r103 = fake.addResource('103', categoryId);
  fake.addResource('P1', fake.addCategory(otherService, { Type: 'ParkingSpot' }));
  const ada = fake.addCustomer('Ada', 'Lovelace');
  const bob = fake.addCustomer('Bob', 'Stone');
  const base = { ServiceId: serviceId };
  const confirmed = fake.addReservation({
    ...base,
    AccountId: ada,
    AssignedResourceId: r101,
    Number: '1001',
  });
  const started = fake.addReservation({
    ...base,
    AccountId: bob,
    AssignedResourceId: r102,
    State: 'Started',
    Number: '1002',
  });
  const canceled = fake.addReservation({
    ...base,
    AccountId: ada,
    AssignedResourceId: r103,
    State: 'Canceled',
  });
  const optional = fake.addReservation({
    ...base,
    AccountId: bob,
    AssignedResourceId: r103,
    State: 'Optional',
  });
  const unassigned = fake.addReservation({ ...base, AccountId: ada, AssignedResourceId: null });
  fake.addReservation({ ServiceId: otherService, AccountId: bob, AssignedResourceId: null });
  return {
    serviceId,
    categoryId,
    rooms: { r101, r102, r103 },
    guests: { ada, bob },
    reservations: { confirmed, started, canceled, optional, unassigned },
  };
}

export const WEBHOOK_TOKEN = 'whsec-test-0123456789';

export function providerFor(fake: MewsFake, overrides: Partial<MewsProviderOptions> = {}) {
  return createMewsProvider({
    propertyId: 'P1',
    baseUrl: fake.baseUrl,
    clientToken: fake.clientToken,
    accessToken: fake.accessToken,
    client: 'Brafa Test 1.0.0',
    timezone: 'Europe/Prague',
    enterpriseId: fake.enterpriseId,
    webhookToken: WEBHOOK_TOKEN,
    sleep: instantSleep,
    random: () => 0.5,
    ...overrides,
  });
}
