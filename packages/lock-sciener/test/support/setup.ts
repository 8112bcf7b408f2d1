import { ManualClock } from '@brafa/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type ScienerClientOptions,
  ScienerLock,
  type ScienerLockOptions,
  type ScienerLockSettings,
} from '../../src/index.js';
import { FakeSciener } from './fake-sciener.js';

/** One msw server per test file; every test installs the handlers of its own fresh fake. */
export function useMswServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export interface Rig {
  clock: ManualClock;
  fake: FakeSciener;
  lock: ScienerLock;
  sleeps: number[];
}

export type RigOverrides = Partial<ScienerClientOptions & ScienerLockSettings>;

/** A fresh fake with locks 101 and 102, and an adapter logged in with the app account. */
export function createRig(
  server: ReturnType<typeof setupServer>,
  overrides: RigOverrides | ((fake: FakeSciener, clock: ManualClock) => RigOverrides) = {},
): Rig {
  const clock = new ManualClock('2026-05-01T08:00:00Z');
  const fake = new FakeSciener({ clock });
  fake.addLock(101);
  fake.addLock(102);
  server.use(...fake.handlers());
  const sleeps: number[] = [];
  const lock = new ScienerLock({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    username: fake.username,
    password: fake.password,
    host: fake.baseUrl,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...(typeof overrides === 'function' ? overrides(fake, clock) : overrides),
  } as ScienerLockOptions);
  return { clock, fake, lock, sleeps };
}

export const FROM = new Date('2026-06-01T13:00:00Z');
export const TO = new Date('2026-06-04T09:00:00Z');
