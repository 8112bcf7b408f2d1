export { type BaseUrls, defaultBaseUrls } from './base-urls.js';
export { handleControl } from './control.js';
export { type InspectedCode, type InspectedLock, Inspector } from './inspect.js';
export { sandboxHandlers } from './msw.js';
export { CallLog, type CallLogEntry } from './runtime/call-log.js';
export {
  defaultErrcodes,
  FaultInjector,
  type FaultKind,
  type FaultRule,
  faultKinds,
} from './runtime/faults.js';
export { LatencyModel, type LatencyRule } from './runtime/latency.js';
export { SlidingWindow } from './runtime/sliding-window.js';
export { createSandbox, Sandbox, type SandboxOptions } from './sandbox.js';
export { type RunningSandbox, type StartSandboxOptions, startSandbox } from './server.js';
export { SandboxReply, type Sleep } from './util/http.js';
export { md5Hex } from './util/md5.js';
export { createPrng, type Prng } from './util/prng.js';
export type { CreditOptions } from './vendors/beds24/credits.js';
export type { Beds24Options } from './vendors/beds24/router.js';
export { MAX_INTERVAL_MONTHS } from './vendors/mews/query.js';
export type { MewsOptions } from './vendors/mews/router.js';
export type { ScienerOptions } from './vendors/sciener/router.js';
export { defaultTbfContract, type TbfContract } from './vendors/tbf/contract.js';
export type { SandboxRequest } from './vendors/types.js';
export {
  type Credentials,
  createScenario,
  type GenerateSpec,
  type GuestSpec,
  type PropertySpec,
  type ReservationSpec,
  Scenario,
  type ScenarioOptions,
  type UnitInfo,
  type UnitSpec,
} from './world/scenario.js';
export type {
  Beds24InfoItem,
  Beds24Status,
  MewsAccessToken,
  MewsNote,
  PmsKind,
  ReservationState,
  SciCode,
  SciLock,
  TbfKeycode,
  Vendor,
  World,
  WorldProperty,
  WorldReservation,
  WorldUnit,
} from './world/types.js';
