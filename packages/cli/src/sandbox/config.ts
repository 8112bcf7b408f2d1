import type { RunningSandbox } from '@brafa/sandbox';
import { parseConfig } from '../config/load.js';
import type { BrafaConfig } from '../config/schema.js';

export interface SandboxConfigOptions {
  database: string;
  secret?: string;
  concurrency?: number;
  /** Units left out of the config's unit mappings (their bookings get "unmapped unit"). */
  unmapped?: Array<{ propertyId: string; unitName: string }>;
  /** Webhook secrets for every property (default: one per property). */
  webhookToken?: string;
}

/**
 * A complete `brafa` config for every property of a running sandbox: PMS blocks with the
 * sandbox's URLs and credentials, units with their PMS ids, one lock per unit and the
 * entrance locks. Used by `brafa demo`, the examples, benchmarks and tests.
 */
export function configForSandbox(running: RunningSandbox, options: SandboxConfigOptions): BrafaConfig {
  const { scenario } = running.sandbox;
  const creds = running.sandbox.credentials();
  const skip = new Set((options.unmapped ?? []).map((u) => `${u.propertyId}\u0000${u.unitName}`));
  const properties = scenario.world.properties.map((world) => {
    const p = { ...world, provider: world.kind };
    const units = scenario.units(p.id);
    const locks = scenario.locks(p.id);
    // How each provider names a unit: MEWS through resource mappings (category / resource name),
    // Beds24 as (roomId, unitId), TBF as its room id for both (see each package's README).
    const unitKey = (u: (typeof units)[number]) =>
      p.provider === 'beds24'
        ? { roomId: String(u.beds24RoomId), unitName: String(u.beds24UnitId) }
        : p.provider === 'bookingfactory'
          ? { roomId: u.tbfRoomId, unitName: u.tbfRoomId }
          : { roomId: u.category, unitName: u.unitName };
    const base = {
      id: p.id,
      provider: p.provider,
      enabled: true,
      timezone: p.timezone,
      checkInTime: p.checkInTime,
      checkOutTime: p.checkOutTime,
      units: units
        .filter((u) => !skip.has(`${p.id}\u0000${u.unitName}`))
        .map((u) => ({
          ...unitKey(u),
          resourceId:
            p.provider === 'mews'
              ? u.mewsResourceId
              : p.provider === 'bookingfactory'
                ? u.tbfRoomId
                : `${u.beds24RoomId}:${u.beds24UnitId}`,
          resourceName: u.unitName,
        })),
      locks: locks.map((l) => {
        if (l.unitName === null) return { lockId: String(l.lockId), scope: 'property' as const };
        const u = units.find((x) => x.unitName === l.unitName)!;
        return { lockId: String(l.lockId), ...unitKey(u) };
      }),
    };
    const webhookToken = options.webhookToken ?? `hook-${p.id}-secret`;
    if (p.provider === 'mews') {
      const m = creds.mews.properties[p.id]!;
      return {
        ...base,
        mews: {
          baseUrl: running.mewsUrl,
          clientToken: creds.mews.clientToken,
          accessToken: m.accessToken,
          client: 'BRAFA sandbox 0.1.0',
          serviceId: m.serviceId,
          enterpriseId: m.enterpriseId,
          webhookToken,
        },
      };
    }
    if (p.provider === 'bookingfactory') {
      const t = creds.tbf[p.id]!;
      return {
        ...base,
        bookingfactory: {
          baseUrl: running.tbfUrl,
          apiKey: t.apiKey,
          hotelId: t.hotelId,
          webhookSecret: webhookToken,
        },
      };
    }
    const b = creds.beds24[p.id]!;
    return {
      ...base,
      beds24: {
        baseUrl: running.beds24Url,
        refreshToken: b.refreshToken,
        propertyId: b.propertyId,
        webhookSecret: webhookToken,
      },
    };
  });
  return parseConfig(
    {
      database: options.database,
      secret: options.secret ?? 'sandbox-passcode-secret',
      passcode: { length: 6 },
      sciener: {
        baseUrl: running.scienerUrl,
        clientId: creds.sciener.clientId,
        clientSecret: creds.sciener.clientSecret,
        username: creds.sciener.username,
        password: creds.sciener.password,
      },
      worker: { concurrency: options.concurrency ?? 32, pollSeconds: 0.2 },
      properties,
    },
    {},
    'sandbox config',
  );
}
