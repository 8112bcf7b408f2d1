import type { Clock } from '@brafa/core';
import type { RequestHandler } from 'msw';
import { type BaseUrls, defaultBaseUrls } from './base-urls.js';
import { Inspector } from './inspect.js';
import { sandboxHandlers } from './msw.js';
import { CallLog } from './runtime/call-log.js';
import { type FaultDecision, FaultInjector, type FaultRule } from './runtime/faults.js';
import { LatencyModel, type LatencyRule } from './runtime/latency.js';
import {
  defaultSleep,
  droppedReply,
  jsonReply,
  type SandboxReply,
  type Sleep,
  toResponse,
} from './util/http.js';
import { type Beds24Options, createBeds24Router } from './vendors/beds24/router.js';
import { createMewsRouter, type MewsOptions } from './vendors/mews/router.js';
import { createScienerRouter, type ScienerOptions } from './vendors/sciener/router.js';
import type { TbfContract, TbfContractOverrides } from './vendors/tbf/contract.js';
import { createTbfRouter } from './vendors/tbf/router.js';
import type { SandboxRequest, VendorRouter } from './vendors/types.js';
import { Scenario, type ScenarioOptions } from './world/scenario.js';
import type { Vendor } from './world/types.js';
import { vendors } from './world/types.js';

export interface SandboxOptions {
  /** A scenario to serve, or options to build one. */
  scenario?: Scenario | ScenarioOptions;
  /** Clock for rate windows, token expiry and timestamps; default the scenario's clock. */
  clock?: Clock;
  /** Seed for fault and latency draws; default the scenario's seed. */
  seed?: number;
  faults?: FaultRule[];
  latency?: LatencyRule[];
  /** Used for latency and timeouts; inject one to keep tests on fake time. */
  sleep?: Sleep;
  mews?: MewsOptions;
  beds24?: Beds24Options;
  sciener?: ScienerOptions;
  /** Overrides of the TBF partner contract, same shape as the adapter's. */
  tbf?: TbfContractOverrides;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The four fakes over one shared world, with fault injection, latency and a call log in front of
 * them. `handle(vendor, request)` is the pure Fetch API entry both transports (msw and the
 * loopback server) use.
 */
export class Sandbox {
  readonly scenario: Scenario;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly latency: LatencyModel;
  readonly callLog = new CallLog();
  readonly inspect: Inspector;
  private readonly sleep: Sleep;
  private readonly routers: Record<Vendor, VendorRouter>;
  private readonly mewsRouter: ReturnType<typeof createMewsRouter>;
  readonly tbfContract: TbfContract;

  constructor(options: SandboxOptions = {}) {
    this.scenario =
      options.scenario instanceof Scenario ? options.scenario : new Scenario(options.scenario ?? {});
    this.clock = options.clock ?? this.scenario.clock;
    const seed = options.seed ?? this.scenario.world.seed;
    this.faults = new FaultInjector(seed, options.faults ?? []);
    this.latency = new LatencyModel(seed, options.latency ?? []);
    this.sleep = options.sleep ?? defaultSleep;
    this.inspect = new Inspector(this.scenario);
    const ctx = { world: this.scenario.world, scenario: this.scenario, clock: this.clock };
    this.mewsRouter = createMewsRouter(ctx, options.mews);
    const tbf = createTbfRouter(ctx, options.tbf);
    this.tbfContract = tbf.contract;
    this.routers = {
      mews: this.mewsRouter,
      beds24: createBeds24Router(ctx, options.beds24),
      sciener: createScienerRouter({ ...ctx, sleep: this.sleep }, options.sciener),
      tbf,
    };
  }

  /** The pure router of one vendor: any URL whose path carries the vendor's own prefix. */
  router(vendor: Vendor): (request: Request) => Promise<Response> {
    return (request) => this.handle(vendor, request);
  }

  /** msw handlers serving this sandbox at the vendors' real hosts (or `baseUrls`). */
  handlers(baseUrls: Partial<BaseUrls> = {}): RequestHandler[] {
    return sandboxHandlers(this, baseUrls);
  }

  /** Routes an absolute request by its base URL (as msw sees it); 404 when no vendor matches. */
  async fetch(request: Request, baseUrls: BaseUrls = defaultBaseUrls): Promise<Response> {
    for (const vendor of vendors) {
      const bases = baseUrls[vendor];
      for (const base of Array.isArray(bases) ? bases : [bases]) {
        if (request.url.startsWith(base)) return this.handle(vendor, request);
      }
    }
    return toResponse(jsonReply({ error: `no sandbox vendor serves ${request.url}` }, 404));
  }

  /** One vendor's answer to `request`, as a Fetch API response (what msw hands back). */
  async handle(vendor: Vendor, request: SandboxRequest): Promise<Response> {
    return toResponse(await this.reply(vendor, request));
  }

  /** One vendor's answer to `request`, as plain data (what the loopback server writes). */
  async reply(vendor: Vendor, request: SandboxRequest): Promise<SandboxReply> {
    const router = this.routers[vendor];
    const path = router.relativePath(new URL(request.url).pathname);
    const at = this.clock.now().toISOString();
    if (path === null) {
      const response = jsonReply({ error: `not a ${vendor} path: ${new URL(request.url).pathname}` }, 404);
      this.callLog.record({
        vendor,
        endpoint: '(unknown)',
        method: request.method,
        at,
        status: 404,
        errcode: null,
        fault: null,
        latencyMs: 0,
      });
      return response;
    }
    const endpoint = router.endpoint(request.method, path);
    const latencyMs = this.latency.delayFor(vendor, endpoint);
    if (latencyMs > 0) await this.sleep(latencyMs, request.signal);
    const fault = this.faults.decide(vendor, endpoint);
    let response: SandboxReply;
    if (fault && fault.kind !== 'lostResponse') {
      response = fault.kind === 'timeout' ? await this.hang(fault, request) : this.faultReply(router, fault);
    } else {
      response = await this.safeHandle(router, request, path);
      // Lost response: the effect above happened; the client never learns it (lessons.md §2.5).
      if (fault) {
        response =
          fault.rule.lostAs === 'serverError'
            ? this.faultReply(router, { ...fault, kind: 'serverError' })
            : await this.hang(fault, request);
      }
    }
    this.callLog.record({
      vendor,
      endpoint,
      method: request.method,
      at,
      status: response.dropped ? 0 : response.status,
      errcode: response.errcode,
      fault: fault?.kind ?? null,
      latencyMs,
    });
    return response;
  }

  private faultReply(router: VendorRouter, fault: FaultDecision): SandboxReply {
    const detail = {
      status: fault.rule.status ?? 503,
      retryAfterSeconds: fault.rule.retryAfterSeconds ?? 1,
      errcode: fault.errcode,
    };
    const kind = fault.kind === 'rateLimit' || fault.kind === 'errcode' ? fault.kind : 'serverError';
    return router.faultResponse(kind, detail);
  }

  /** No answer for `timeoutMs` (or until the client gives up), then the connection drops. */
  private async hang(fault: FaultDecision, request: SandboxRequest): Promise<SandboxReply> {
    await this.sleep(fault.rule.timeoutMs ?? DEFAULT_TIMEOUT_MS, request.signal);
    return droppedReply();
  }

  private async safeHandle(
    router: VendorRouter,
    request: SandboxRequest,
    path: string,
  ): Promise<SandboxReply> {
    try {
      return await router.handle(request, path);
    } catch (error) {
      // A sandbox bug must surface loudly, not as a plausible vendor reply.
      const message = error instanceof Error ? error.message : String(error);
      return jsonReply({ error: `sandbox internal error: ${message}` }, 500);
    }
  }

  /** Restart MEWS rate windows (e.g. after moving a manual clock back). */
  resetRateLimits(): void {
    this.mewsRouter.resetRateLimit();
  }

  calls(filter: { vendor?: Vendor; endpoint?: string } = {}) {
    return this.callLog.list(filter);
  }

  credentials() {
    return this.scenario.credentials();
  }

  /** Everything the sandbox holds, as JSON-safe data (the `/_sandbox/state` body). */
  state() {
    const w = this.scenario.world;
    return {
      seed: w.seed,
      now: this.clock.now().toISOString(),
      properties: w.properties.map((p) => ({
        id: p.id,
        kind: p.kind,
        name: p.name,
        timezone: p.timezone,
        checkInTime: p.checkInTime,
        checkOutTime: p.checkOutTime,
      })),
      units: this.scenario.units(),
      reservations: w.reservations.map((r) => ({
        propertyId: r.propertyId,
        id: r.id,
        unitName: r.unitName,
        arrival: r.arrival,
        departure: r.departure,
        state: r.state,
        startUtc: r.startUtc.toISOString(),
        endUtc: r.endUtc.toISOString(),
        updatedUtc: r.updatedUtc.toISOString(),
      })),
      locks: this.inspect.locks().map((l) => ({
        ...l,
        codes: l.codes.map((c) => ({
          ...c,
          startDate: c.startDate?.toISOString() ?? null,
          endDate: c.endDate?.toISOString() ?? null,
          device: c.device
            ? {
                passcode: c.device.passcode,
                startDate: c.device.startDate?.toISOString() ?? null,
                endDate: c.device.endDate?.toISOString() ?? null,
              }
            : null,
        })),
      })),
      mews: { tokens: this.inspect.mewsTokens({ includeDeleted: true }), notes: this.inspect.mewsNotes() },
      beds24: { infoItems: this.inspect.beds24InfoItems() },
      tbf: { keycodes: this.inspect.tbfKeycodes() },
      calls: this.callLog.counts(),
    };
  }
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new Sandbox(options);
}
