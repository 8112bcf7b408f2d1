import {
  createEngine,
  createLogger,
  type Engine,
  type EngineEventHandler,
  type LockAssignment,
  type LockProvider,
  type Logger,
  type PmsProvider,
  type Property,
  propertySchema,
  Redactor,
  type Store,
  type UnitMapping,
} from '@brafa/core';
import { ScienerLock } from '@brafa/lock-sciener';
import { createBeds24Provider, createGodoProvider } from '@brafa/provider-beds24';
import { createBookingFactoryProvider, type TbfContractOverrides } from '@brafa/provider-bookingfactory';
import { createMewsProvider } from '@brafa/provider-mews';
import { openStore } from '@brafa/store-kysely';
import type { BrafaConfig, PropertyConfig } from './config/schema.js';

export interface Runtime {
  config: BrafaConfig;
  store: Store;
  lock: LockProvider;
  engine: Engine;
  providers: Map<string, PmsProvider>;
  redactor: Redactor;
  logger: Logger;
  /** The `onEvent` it was opened with (a worker thread of `brafa serve` reports through it). */
  onEvent?: EngineEventHandler;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  onEvent?: EngineEventHandler;
  /** Where redacted log lines go (default: stderr when BRAFA_LOG is set, else nowhere). */
  log?: (line: string) => void;
  workerId?: string;
}

/** Every secret value in the config, so no log line or error can carry one. */
export function secretsOf(config: BrafaConfig): string[] {
  const out = [config.secret, config.sciener.clientSecret, config.sciener.password, config.sciener.clientId];
  for (const p of config.properties) {
    out.push(p.mews?.accessToken ?? '', p.mews?.clientToken ?? '', p.mews?.webhookToken ?? '');
    out.push(
      p.beds24?.refreshToken ?? '',
      p.beds24?.webhookSecret ?? '',
      p.godo?.refreshToken ?? '',
      p.godo?.webhookSecret ?? '',
    );
    out.push(p.bookingfactory?.apiKey ?? '', p.bookingfactory?.webhookSecret ?? '');
  }
  const password = /^[a-z]+:\/\/[^:/]+:([^@]+)@/.exec(config.database)?.[1];
  if (password) out.push(password);
  return out.filter(Boolean);
}

export function toProperty(p: PropertyConfig): Property {
  return propertySchema.parse({
    id: p.id,
    provider: p.provider,
    timezone: p.timezone,
    checkInTime: p.checkInTime,
    checkOutTime: p.checkOutTime,
    enabled: p.enabled,
    ...(p.name ? { name: p.name } : {}),
    ...(p.accessBuffers ? { accessBuffers: p.accessBuffers } : {}),
  });
}

// Units are resolved by core from the store's unit mappings at plan time (never frozen into
// stored bookings), so a units sync takes effect without re-fetching bookings.
function buildProvider(p: PropertyConfig, logger: Logger): PmsProvider {
  switch (p.provider) {
    case 'mews': {
      const m = p.mews!;
      return createMewsProvider({
        propertyId: p.id,
        timezone: p.timezone,
        baseUrl: m.baseUrl,
        clientToken: m.clientToken,
        accessToken: m.accessToken,
        client: m.client,
        ...(m.serviceIds ? { serviceIds: m.serviceIds } : {}),
        ...(m.serviceId ? { serviceId: m.serviceId } : {}),
        ...(m.enterpriseId ? { enterpriseId: m.enterpriseId } : {}),
        ...(m.webhookToken ? { webhookToken: m.webhookToken } : {}),
        useServiceOrderNotes: m.useServiceOrderNotes,
        ...(m.reservationPageSize ? { reservationPageSize: m.reservationPageSize } : {}),
        logger,
      });
    }
    case 'beds24':
    case 'godo': {
      const b = (p.provider === 'beds24' ? p.beds24 : p.godo)!;
      const create = p.provider === 'beds24' ? createBeds24Provider : createGodoProvider;
      return create({
        propertyId: p.id,
        beds24PropertyId: b.propertyId,
        timezone: p.timezone,
        refreshToken: b.refreshToken,
        ...(b.baseUrl ? { baseUrl: b.baseUrl } : {}),
        ...(b.infoItemCode ? { infoItemCode: b.infoItemCode } : {}),
        ...(b.webhookSecret ? { webhookSecret: b.webhookSecret } : {}),
        logger,
      });
    }
    case 'bookingfactory': {
      const t = p.bookingfactory!;
      return createBookingFactoryProvider({
        propertyId: p.id,
        timezone: p.timezone,
        ...(t.baseUrl && t.apiKey && t.hotelId
          ? { api: { baseUrl: t.baseUrl, apiKey: t.apiKey, hotelId: t.hotelId } }
          : {}),
        ...(t.webhookSecret ? { webhookSecret: t.webhookSecret } : {}),
        ...(t.contract ? { contract: t.contract as TbfContractOverrides } : {}),
        logger,
      });
    }
  }
}

/** Config units and locks → store rows. Units from the config replace synced ones only when listed. */
export async function applyConfig(store: Store, config: BrafaConfig): Promise<void> {
  for (const p of config.properties) {
    await store.upsertProperty(toProperty(p));
    if (p.units.length) {
      await store.replaceUnits(
        p.id,
        p.units.map((u) => ({ propertyId: p.id, roomId: u.roomId, unitName: u.unitName })),
      );
      const mappings: UnitMapping[] = p.units.flatMap((u) => {
        const resourceId = u.resourceId ?? u.mewsResourceId;
        return resourceId
          ? [
              {
                propertyId: p.id,
                resourceId,
                resourceName: u.resourceName ?? u.unitName,
                roomId: u.roomId,
                unitName: u.unitName,
                primary: true,
              },
            ]
          : [];
      });
      if (mappings.length) await store.replaceUnitMappings(p.id, mappings);
    }
    if (p.locks.length) {
      const assignments: LockAssignment[] = p.locks.map((l) =>
        l.scope === 'property'
          ? { propertyId: p.id, lockId: l.lockId, scope: 'property' }
          : { propertyId: p.id, lockId: l.lockId, scope: 'unit', roomId: l.roomId, unitName: l.unitName },
      );
      await store.replaceLockAssignments(p.id, assignments);
    }
  }
}

export async function openRuntime(config: BrafaConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const redactor = new Redactor(secretsOf(config));
  const sink =
    options.log ?? (process.env.BRAFA_LOG ? (line: string) => process.stderr.write(`${line}\n`) : undefined);
  const logger = createLogger({
    redactor,
    level: (process.env.BRAFA_LOG as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'info',
    sink: sink ? (r) => sink(JSON.stringify(r)) : () => {},
  });
  const store = await openStore(config.database);
  try {
    await applyConfig(store, config);
    const lock = new ScienerLock({
      clientId: config.sciener.clientId,
      clientSecret: config.sciener.clientSecret,
      username: config.sciener.username,
      password: config.sciener.password,
      host: config.sciener.baseUrl,
      maxConcurrency: config.worker.concurrency,
      capabilities: { maxCodesPerLock: config.sciener.maxCodesPerLock },
      logger,
    });
    const providers = new Map<string, PmsProvider>();
    for (const p of config.properties) {
      providers.set(p.id, buildProvider(p, logger));
    }
    const engine = createEngine({
      store,
      lock,
      providers: (property) => providers.get(property.id),
      passcode: { secret: config.secret, length: config.passcode.length },
      logger,
      concurrency: config.worker.concurrency,
      ...(config.worker.retry ? { retry: config.worker.retry } : {}),
      ...(config.worker.graceHours !== undefined ? { graceMs: config.worker.graceHours * 3_600_000 } : {}),
      ...(config.worker.failedRetryMinutes !== undefined
        ? { failedRetryMs: config.worker.failedRetryMinutes * 60_000 }
        : {}),
      ...(config.worker.leaseSeconds !== undefined ? { leaseMs: config.worker.leaseSeconds * 1000 } : {}),
      ...(config.worker.writeBackMaxDelaySeconds !== undefined
        ? { writeBackMaxDelayMs: config.worker.writeBackMaxDelaySeconds * 1000 }
        : {}),
      ...(config.worker.keepDoneJobsDays !== undefined
        ? { doneJobRetentionMs: config.worker.keepDoneJobsDays * 86_400_000 }
        : {}),
      ...(config.worker.keepLogsDays !== undefined
        ? { logRetentionMs: config.worker.keepLogsDays * 86_400_000 }
        : {}),
      ...(config.worker.keepEndedBookingsDays !== undefined
        ? { endedBookingRetentionMs: config.worker.keepEndedBookingsDays * 86_400_000 }
        : {}),
      ...(config.worker.lockLeases !== undefined ? { lockLeases: config.worker.lockLeases } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.workerId ? { workerId: options.workerId } : {}),
    });
    return {
      config,
      store,
      lock,
      engine,
      providers,
      redactor,
      logger,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
