// A MEWS property in the sandbox (another process), a brafa runtime on a temp SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '@brafa/cli';
import { createMewsProvider } from '@brafa/provider-mews';
import { startRemoteSandbox } from './remote-sandbox.mjs';

/** MEWS's largest page (`Limitation.Count` ≤ 1000); the provider's default for reservations is 200. */
export const RESERVATION_PAGE_SIZE = 1000;

/**
 * @param {object} o
 * @param {number} o.units units, one lock each
 * @param {number} o.reservations reservations to generate (an upper bound: see the sandbox README)
 * @param {number} [o.withinDays] arrivals spread over this many days from today
 * @param {number} [o.maxNights]
 * @param {number} [o.concurrency] engine jobs and TTLock requests in flight
 * @param {object[]} [o.latency] sandbox latency rules
 * @param {boolean} [o.entranceLock] add a property-wide entrance lock every stay opens
 * @param {(event: object) => void} [o.onEvent] engine events
 * @param {Awaited<ReturnType<typeof startRemoteSandbox>>} [o.host] a sandbox host to serve this
 *   world (fresh, in its warm process) and to keep running after `close()`
 */
export async function openMewsBench(o) {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-bench-'));
  const database = `sqlite:${join(dir, 'bench.db')}`;
  const spec = {
    scenario: {
      seed: o.seed ?? 8,
      properties: [
        {
          id: 'P1',
          provider: 'mews',
          units: o.units,
          ...(o.entranceLock ? { entranceLock: true } : {}),
          reservations: {
            count: o.reservations,
            withinDays: o.withinDays ?? 90,
            maxNights: o.maxNights ?? 7,
            cancelledRatio: 0,
          },
        },
      ],
    },
    ...(o.latency ? { latency: o.latency } : {}),
    database,
    concurrency: o.concurrency ?? 256,
  };
  const sandbox = o.host ? { ...o.host, ...(await o.host.restart(spec)) } : await startRemoteSandbox(spec);
  const { config, world } = sandbox;
  const timeline = new Timeline();
  const rt = await openRuntime(config, {
    onEvent: (event) => {
      timeline.record(event);
      if (event.type === 'sync.page') bench.syncedBookings += event.bookings;
      o.onEvent?.(event);
    },
  });
  const mewsFetch = timedFetch();
  // The benchmark swaps in the same provider (with a timed fetch, to measure MEWS waits)
  // with MEWS's maximum reservation page (1000) — the page size the ⌈N/1000⌉ bound assumes.
  // The provider's default (200, the reference's advice against 408s) would need 5× the pages.
  for (const p of config.properties) {
    const m = p.mews;
    rt.providers.set(
      p.id,
      createMewsProvider({
        propertyId: p.id,
        timezone: p.timezone,
        baseUrl: m.baseUrl,
        clientToken: m.clientToken,
        accessToken: m.accessToken,
        client: m.client,
        serviceId: m.serviceId,
        enterpriseId: m.enterpriseId,
        webhookToken: m.webhookToken,
        useServiceOrderNotes: m.useServiceOrderNotes,
        unitMappings: () => rt.store.listUnitMappings(p.id),
        reservationPageSize: RESERVATION_PAGE_SIZE,
        fetch: mewsFetch.fetch,
      }),
    );
  }
  const bench = {
    syncedBookings: 0,
    sandbox,
    config,
    world,
    rt,
    dir,
    timeline,
    /** Milliseconds spent waiting for MEWS answers (its calls are sequential: a critical path). */
    mewsWait: mewsFetch,
    window: syncWindow(world.reservations),
    async close() {
      await rt.close();
      // A shared host keeps running for the next world; its owner closes it.
      const host = o.host ? undefined : await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
      return host;
    },
  };
  timeline.onReset = () => {
    bench.syncedBookings = 0;
  };
  return bench;
}

/**
 * CPU seconds of this process and of the sandbox over a measured span: when the SDK's CPU is
 * close to the wall time, the SDK is the limit; when the sandbox's is, the fake vendors are.
 */
export async function cpuMeter(bench) {
  const sdk0 = process.cpuUsage();
  const sandbox0 = await bench.sandbox.call('cpu');
  return async () => {
    const sdk = process.cpuUsage(sdk0);
    const sandbox = (await bench.sandbox.call('cpu')) - sandbox0;
    return {
      sdkCpuSeconds: seconds((sdk.user + sdk.system) / 1000),
      sandboxCpuSeconds: seconds(sandbox * 1000),
    };
  };
}

/** First and last time (ms, performance.now) and count of every engine event type. */
export class Timeline {
  constructor() {
    this.reset();
  }
  reset() {
    this.start = performance.now();
    this.onReset?.();
    this.types = {};
  }
  record(event) {
    const t = performance.now() - this.start;
    let e = this.types[event.type];
    if (!e) {
      e = { n: 0, first: t, last: t };
      this.types[event.type] = e;
    }
    e.n++;
    e.last = t;
  }
  /** { type: { n, first, last } } in seconds since the last reset. */
  summary() {
    return Object.fromEntries(
      Object.entries(this.types).map(([k, v]) => [
        k,
        { n: v.n, first: seconds(v.first), last: seconds(v.last) },
      ]),
    );
  }
}

function timedFetch() {
  const state = {
    ms: 0,
    calls: 0,
    reset() {
      state.ms = 0;
      state.calls = 0;
    },
    fetch: async (input, init) => {
      const t0 = performance.now();
      try {
        return await globalThis.fetch(input, init);
      } finally {
        state.ms += performance.now() - t0;
        state.calls++;
      }
    },
  };
  return state;
}

/** A colliding window around every generated stay (under MEWS's 3-month filter limit). */
export function syncWindow(reservations) {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const r of reservations) {
    min = Math.min(min, r.startUtc);
    max = Math.max(max, r.startUtc);
  }
  return { start: new Date(min - 3_600_000), end: new Date(max + 3_600_000) };
}

export const seconds = (ms) => Math.round(ms) / 1000;

export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** Calls by endpoint, only those that happened. */
export function nonZero(counts) {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

export const MEWS_WRITES = [
  'mews resourceAccessTokens/add',
  'mews resourceAccessTokens/update',
  'mews resourceAccessTokens/delete',
  'mews serviceOrderNotes/add',
  'mews serviceOrderNotes/update',
  'mews serviceOrderNotes/delete',
];
export const LOCK_WRITES = [
  'sciener /v3/keyboardPwd/add',
  'sciener /v3/keyboardPwd/change',
  'sciener /v3/keyboardPwd/delete',
];
export const sum = (counts, keys) => keys.reduce((n, k) => n + (counts[k] ?? 0), 0);
export const sciener = (counts) =>
  Object.entries(counts)
    .filter(([k]) => k.startsWith('sciener ') && k !== 'sciener /oauth2/token')
    .reduce((n, [, v]) => n + v, 0);

/** One target line: `kind` functional failures fail the run in every mode, timing ones only in full runs. */
export function target(name, want, actual, pass, kind = 'timing') {
  return { name, want, actual, pass: Boolean(pass), kind };
}
