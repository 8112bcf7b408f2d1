import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, substituteEnv } from '../src/config/load.js';
import { openRuntime, secretsOf } from '../src/runtime.js';

const base = () => ({
  database: 'sqlite::memory:',
  secret: '${BRAFA_SECRET}',
  sciener: { clientId: 'cid', clientSecret: 'csecret-1', username: 'u', password: 'pw-secret' },
  properties: [
    {
      id: 'P1',
      provider: 'mews',
      timezone: 'Europe/Prague',
      mews: {
        baseUrl: 'https://api.mews-demo.com',
        clientToken: 'ct-123',
        accessToken: 'at-456',
        serviceId: 's',
      },
      units: [{ roomId: 'R101', unitName: '101', mewsResourceId: 'res-1' }],
      locks: [
        { lockId: 1001, roomId: 'R101', unitName: '101' },
        { lockId: '2000', scope: 'property' },
      ],
    },
  ],
});

describe('config', () => {
  it('substitutes ${ENV} and fills defaults', () => {
    const config = parseConfig(base(), { BRAFA_SECRET: 'from-the-environment' });
    expect(config.secret).toBe('from-the-environment');
    expect(config.passcode.length).toBe(6);
    expect(config.properties[0]).toMatchObject({
      checkInTime: '15:00',
      checkOutTime: '11:00',
      enabled: true,
    });
    expect(config.properties[0]!.locks[0]).toEqual({
      lockId: '1001',
      scope: 'unit',
      roomId: 'R101',
      unitName: '101',
    });
  });

  it('passes the worker tuning to the engine, in its units', async () => {
    const config = parseConfig(
      {
        ...base(),
        worker: {
          concurrency: 4,
          leaseSeconds: 90,
          writeBackMaxDelaySeconds: 12,
          lockLeases: true,
          keepDoneJobsDays: 2,
          keepLogsDays: 90,
          keepEndedBookingsDays: 60,
        },
      },
      { BRAFA_SECRET: 'from-the-environment' },
    );
    const runtime = await openRuntime(config);
    try {
      expect(runtime.engine.context).toMatchObject({
        concurrency: 4,
        leaseMs: 90_000,
        writeBackMaxDelayMs: 12_000,
      });
      expect(runtime.engine.context.lockLeases).toBeDefined();
      expect(runtime.engine.context.housekeeping.retention).toEqual({
        doneJobsMs: 2 * 86_400_000,
        logsMs: 90 * 86_400_000,
        endedBookingsMs: 60 * 86_400_000,
      });
    } finally {
      await runtime.close();
    }
    const defaults = await openRuntime(parseConfig(base(), { BRAFA_SECRET: 'from-the-environment' }));
    try {
      expect(defaults.engine.context.writeBackMaxDelayMs).toBe(30_000);
      expect(defaults.engine.context.housekeeping.retention).toEqual({
        doneJobsMs: 7 * 86_400_000,
        logsMs: 30 * 86_400_000,
        endedBookingsMs: 30 * 86_400_000,
      });
      // SQLite: one process does the lock work, no leases unless asked.
      expect(defaults.engine.context.lockLeases).toBeUndefined();
    } finally {
      await defaults.close();
    }
  });

  it('tells the planner how many codes a lock holds (older TTLock locks: 150)', async () => {
    const env = { BRAFA_SECRET: 'from-the-environment' };
    const older = await openRuntime(
      parseConfig({ ...base(), sciener: { ...base().sciener, maxCodesPerLock: 150 } }, env),
    );
    try {
      expect(older.engine.context.lock.capabilities.maxCodesPerLock).toBe(150);
    } finally {
      await older.close();
    }
    const defaults = await openRuntime(parseConfig(base(), env));
    try {
      expect(defaults.engine.context.lock.capabilities.maxCodesPerLock).toBe(250);
    } finally {
      await defaults.close();
    }
    expect(() =>
      parseConfig({ ...base(), sciener: { ...base().sciener, maxCodesPerLock: 300 } }, env),
    ).toThrow(/sciener\.maxCodesPerLock/);
  });

  it('names the key that uses a missing variable', () => {
    expect(() => substituteEnv({ a: { b: ['x', '${NOPE}'] } }, {})).toThrow(
      'a.b.1: environment variable NOPE is not set',
    );
  });

  it.each([
    [(c: ReturnType<typeof base>) => ({ ...c, secret: 'short' }), /secret: must be at least 8 characters/],
    [(c: ReturnType<typeof base>) => ({ ...c, bogus: 1 }), /\(root\): Unrecognized key.*\(bogus\)/],
    [
      (c: ReturnType<typeof base>) => ({ ...c, properties: [{ ...c.properties[0], checkInTime: '3pm' }] }),
      /properties\.0\.checkInTime: expected HH:mm/,
    ],
    [
      (c: ReturnType<typeof base>) => ({ ...c, properties: [{ ...c.properties[0], mews: undefined }] }),
      /properties\.0\.mews: provider is "mews" but the "mews" block is missing/,
    ],
    [
      (c: ReturnType<typeof base>) => ({ ...c, properties: [c.properties[0], c.properties[0]] }),
      /duplicate property id P1/,
    ],
    [(c: ReturnType<typeof base>) => ({ ...c, passcode: { length: 12 } }), /passcode\.length/],
  ])('rejects a bad config with a message naming the key (%#)', (mutate, message) => {
    expect(() => parseConfig(mutate(base()), { BRAFA_SECRET: 'long-enough-secret' })).toThrow(ConfigError);
    expect(() => parseConfig(mutate(base()), { BRAFA_SECRET: 'long-enough-secret' })).toThrow(message);
  });

  it('knows every secret so it can redact them', () => {
    const secrets = secretsOf(parseConfig(base(), { BRAFA_SECRET: 'from-the-environment' }));
    for (const s of ['from-the-environment', 'csecret-1', 'pw-secret', 'ct-123', 'at-456'])
      expect(secrets).toContain(s);
  });
});
