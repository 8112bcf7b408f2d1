export {
  MewsClient,
  type MewsClientOptions,
  type PermissionParameters,
  type ReservationQuery,
  type ResourceAccessTokenParameters,
  type ResourceAccessTokenUpdate,
  SERVICE_ORDER_STATES,
} from './client/client.js';
export { parseRetryAfter } from './client/errors.js';
export { DEFAULT_RETRY, type MewsHttpOptions, type RetryOptions } from './client/http.js';
export {
  addMonthsUtc,
  chunk,
  formatUtc,
  MAX_IDS,
  splitInterval,
  type TimeInterval,
} from './client/paging.js';
export {
  DEFAULT_RATE_LIMIT,
  type RateLimitOptions,
  rateLimiterFor,
  SlidingWindowLimiter,
} from './client/rate-limit.js';
export type {
  Configuration,
  Customer,
  Reservation,
  Resource,
  ResourceAccessToken,
  ResourceCategory,
  ResourceCategoryAssignment,
  Service,
  ServiceOrderNote,
} from './client/schemas.js';
export { mapState } from './mapping/reservation.js';
export { createMewsProvider, type MewsProvider, type MewsProviderOptions } from './provider.js';
export { mewsWebhookEnterpriseId, parseMewsWebhook, tokenMatches } from './webhook/parse.js';
export { NOTE_PREFIX, noteText } from './writeback/notes.js';
export { DEFAULT_PERMISSIONS, type TokenPermissions } from './writeback/plan.js';

/** MEWS platform addresses (reference §2.2); pass one as `baseUrl`. */
export const MEWS_PRODUCTION_URL = 'https://api.mews.com';
export const MEWS_DEMO_URL = 'https://api.mews-demo.com';
