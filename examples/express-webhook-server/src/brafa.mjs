import { createEngine, createLogger, propertySchema, Redactor } from '@brafa/core';
import { ScienerLock } from '@brafa/lock-sciener';
import { createMewsProvider } from '@brafa/provider-mews';
import { openStore } from '@brafa/store-kysely';

/**
 * @typedef {import('@brafa/cli').BrafaConfig} BrafaConfig
 * @typedef {{
 *   config: BrafaConfig,
 *   store: import('@brafa/core').Store,
 *   engine: import('@brafa/core').Engine,
 *   providers: Map<string, import('@brafa/core').PmsProvider>,
 *   logger: import('@brafa/core').Logger,
 *   close(): Promise<void>,
 * }} Brafa
 */

/** Every secret in the config, so the logger can cut them out of every line. */
function secretsOf(config) {
  return [
    config.secret,
    config.sciener.clientSecret,
    config.sciener.password,
    ...config.properties.flatMap((p) => [p.mews?.clientToken, p.mews?.accessToken, p.mews?.webhookToken]),
  ];
}

/** The config's units and locks become store rows (the engine reads them from there). */
async function saveProperty(store, p) {
  await store.upsertProperty(
    propertySchema.parse({
      id: p.id,
      provider: 'mews',
      timezone: p.timezone,
      checkInTime: p.checkInTime,
      checkOutTime: p.checkOutTime,
      enabled: p.enabled,
    }),
  );
  if (p.units.length) {
    await store.replaceUnits(
      p.id,
      p.units.map((u) => ({ propertyId: p.id, roomId: u.roomId, unitName: u.unitName })),
    );
    await store.replaceUnitMappings(
      p.id,
      p.units
        .filter((u) => u.resourceId ?? u.mewsResourceId)
        .map((u) => ({
          propertyId: p.id,
          resourceId: u.resourceId ?? u.mewsResourceId,
          resourceName: u.resourceName ?? u.unitName,
          roomId: u.roomId,
          unitName: u.unitName,
          primary: true,
        })),
    );
  }
  await store.replaceLockAssignments(
    p.id,
    p.locks.map((l) =>
      l.scope === 'property'
        ? { propertyId: p.id, lockId: l.lockId, scope: 'property' }
        : { propertyId: p.id, lockId: l.lockId, scope: 'unit', roomId: l.roomId, unitName: l.unitName },
    ),
  );
}

/**
 * Wires the SDK from a `brafa` config (the same JSON file the CLI reads): a store, one MEWS
 * provider per property, the TTLock/Sciener lock and the engine. This example serves MEWS
 * webhooks, so it takes MEWS properties only (`openRuntime` from @brafa/cli wires them all).
 *
 * @param {BrafaConfig} config
 * @param {{ log?: (line: string) => void }} [options] where JSON log lines go (default: stderr)
 * @returns {Promise<Brafa>}
 */
export async function openBrafa(config, options = {}) {
  const other = config.properties.find((p) => p.provider !== 'mews');
  if (other) throw new Error(`property ${other.id}: this example serves MEWS properties only`);

  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const logger = createLogger({
    redactor: new Redactor(secretsOf(config)),
    sink: (r) => log(JSON.stringify(r)),
  });
  const store = await openStore(config.database); // migrates on open
  try {
    for (const p of config.properties) await saveProperty(store, p);
    const providers = new Map(
      config.properties.map((p) => [
        p.id,
        createMewsProvider({
          propertyId: p.id,
          timezone: p.timezone,
          baseUrl: p.mews.baseUrl,
          clientToken: p.mews.clientToken,
          accessToken: p.mews.accessToken,
          client: p.mews.client,
          ...(p.mews.serviceId ? { serviceId: p.mews.serviceId } : {}),
          ...(p.mews.enterpriseId ? { enterpriseId: p.mews.enterpriseId } : {}),
          ...(p.mews.webhookToken ? { webhookToken: p.mews.webhookToken } : {}),
          logger,
        }),
      ]),
    );
    const lock = new ScienerLock({
      host: config.sciener.baseUrl,
      clientId: config.sciener.clientId,
      clientSecret: config.sciener.clientSecret,
      username: config.sciener.username,
      password: config.sciener.password,
      logger,
    });
    const engine = createEngine({
      store,
      lock,
      providers: (property) => providers.get(property.id),
      passcode: { secret: config.secret, length: config.passcode.length },
      concurrency: config.worker.concurrency,
      logger,
    });
    return { config, store, engine, providers, logger, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
