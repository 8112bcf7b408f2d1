export { type ApiCall, md5Hex, ScienerClient } from './client/client.js';
export type { FetchLike, JsonBody } from './client/http.js';
export { SCIENER_HOSTS, type ScienerClientOptions, type ScienerRegion } from './client/options.js';
export type { ScienerTokens, ScienerTokensInput } from './client/tokens.js';
export { beijingMonthKey, nextBeijingMonthStart } from './errors/beijing-month.js';
export { type ErrcodeClass, type ErrcodeInfo, errcodeInfo } from './errors/codes.js';
export {
  type ChangeOutcome,
  ScienerLock,
  type ScienerLockOptions,
  type ScienerLockSettings,
} from './lock/sciener-lock.js';
export type { ScienerLockInfo } from './lock/wire.js';
export { CallBudget, type CallBudgetOptions, type CallUsage } from './usage/call-budget.js';
