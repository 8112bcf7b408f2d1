import { ManualClock } from '@brafa/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createBeds24Provider } from '../../src/index.js';
import type { Beds24ProviderOptions } from '../../src/provider/options.js';
import { FakeBeds24, type FakeBeds24Options, type FakeBooking } from './fake-beds24.js';

/** One msw server per test file; handlers are swapped per test. */
export function useMsw() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export const BEDS24_PROPERTY = 14001;

export function booking(id: number, overrides: Partial<FakeBooking> = {}): FakeBooking {
  return {
    id,
    propertyId: BEDS24_PROPERTY,
    roomId: 316001,
    unitId: 1,
    status: 'confirmed',
    arrival: '2026-06-01',
    departure: '2026-06-04',
    firstName: 'Ada',
    lastName: 'Guest',
    apiReference: `HM${id}`,
    modifiedTime: '2026-05-01T10:00:00Z',
    ...overrides,
  };
}

export interface Harness {
  fake: FakeBeds24;
  clock: ManualClock;
  sleeps: number[];
  provider: ReturnType<typeof createBeds24Provider>;
}

/** A provider wired to a fresh fake through msw, with a manual clock and a recording sleep. */
export function harness(
  server: ReturnType<typeof setupServer>,
  options: Partial<Beds24ProviderOptions> & {
    pageSize?: number;
    seed?: FakeBooking[];
    fake?: FakeBeds24Options;
  } = {},
): Harness {
  const clock = new ManualClock('2026-05-20T08:00:00Z');
  const { pageSize, seed, fake: fakeOptions, ...providerOptions } = options;
  const fake = new FakeBeds24({ pageSize: pageSize ?? 100, now: () => clock.now(), ...fakeOptions });
  fake.seed(seed ?? []);
  server.use(...fake.handlers());
  const sleeps: number[] = [];
  const provider = createBeds24Provider({
    propertyId: 'P1',
    beds24PropertyId: BEDS24_PROPERTY,
    timezone: 'Europe/Prague',
    refreshToken: fake.refreshToken,
    baseUrl: fake.baseUrl,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...providerOptions,
  });
  return { fake, clock, sleeps, provider };
}
