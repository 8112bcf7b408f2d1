import { afterEach, describe, expect, it, vi } from 'vitest';
import { newFake, seed, useMsw } from './support/setup.js';

const server = useMsw();

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('examples/demo.mjs', () => {
  it('runs end to end against a MEWS (here the fake): config, units, bookings, write/read/delete', async () => {
    const fake = newFake();
    server.use(...fake.handlers());
    const s = seed(fake);
    // The demo looks 14 days ahead of the real clock; put one stay inside that.
    const start = new Date(Date.now() + 2 * 86_400_000);
    const end = new Date(Date.now() + 4 * 86_400_000);
    fake.reservations.get(s.reservations.confirmed)!.ScheduledStartUtc = start.toISOString();
    fake.reservations.get(s.reservations.confirmed)!.ScheduledEndUtc = end.toISOString();
    vi.stubEnv('MEWS_CLIENT_TOKEN', fake.clientToken);
    vi.stubEnv('MEWS_ACCESS_TOKEN', fake.accessToken);
    vi.stubEnv('MEWS_BASE_URL', fake.baseUrl);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    process.argv.push('--write');
    try {
      await import('../examples/demo.mjs');
    } finally {
      process.argv.pop();
    }
    const out = lines.join('\n');
    expect(out).toContain('Enterprise: Fake Hotel');
    expect(out).toContain('Units: 4');
    expect(out).toMatch(/Bookings: 1 \(quarantined 0\)/);
    expect(out).toMatch(/Upsert: token \S+/);
    const tokenId = /Upsert: token (\S+)/.exec(out)![1];
    expect(out).toContain(`Repeat (must reuse the token): token ${tokenId}`);
    expect(out).toContain('Delete: done');
    expect(fake.calls('resourceAccessTokens/add')).toHaveLength(1);
    expect(fake.activeTokens()).toHaveLength(0);
    // Full PINs never printed.
    const pin = fake.calls('resourceAccessTokens/add')[0]!.body.ResourceAccessTokenParameters as Array<{
      Value: string;
    }>;
    expect(out).not.toContain(pin[0]!.Value);
  });
});
