// `configForSandbox` lives in @brafa/cli (src/sandbox/config.ts) but is not exported from its
// public entry yet. Use it when it is; until then this is a MEWS-only copy of the same mapping
// (units by category/resource, one lock per unit), validated by the CLI's own `parseConfig`.
import * as cli from '@brafa/cli';

function mewsConfig(running, options) {
  const { scenario } = running.sandbox;
  const creds = running.sandbox.credentials();
  const properties = scenario.world.properties.map((p) => {
    if (p.kind !== 'mews') throw new Error(`bench config: only MEWS properties are supported (${p.id})`);
    const units = scenario.units(p.id);
    const byName = new Map(units.map((u) => [u.unitName, u]));
    const m = creds.mews.properties[p.id];
    return {
      id: p.id,
      provider: 'mews',
      enabled: true,
      timezone: p.timezone,
      checkInTime: p.checkInTime,
      checkOutTime: p.checkOutTime,
      units: units.map((u) => ({
        roomId: u.category,
        unitName: u.unitName,
        resourceId: u.mewsResourceId,
        resourceName: u.unitName,
      })),
      locks: scenario.locks(p.id).map((l) => {
        if (l.unitName === null) return { lockId: String(l.lockId), scope: 'property' };
        const u = byName.get(l.unitName);
        return { lockId: String(l.lockId), roomId: u.category, unitName: u.unitName };
      }),
      mews: {
        baseUrl: running.mewsUrl,
        clientToken: creds.mews.clientToken,
        accessToken: m.accessToken,
        client: 'BRAFA bench 0.1.0',
        serviceId: m.serviceId,
        enterpriseId: m.enterpriseId,
        webhookToken: options.webhookToken ?? `hook-${p.id}-secret`,
      },
    };
  });
  return cli.parseConfig(
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
    'bench config',
  );
}

/** The CLI's sandbox config builder when exported, else the copy above. */
export const configForSandbox = cli.configForSandbox ?? mewsConfig;
export const usesCliConfigBuilder = typeof cli.configForSandbox === 'function';
