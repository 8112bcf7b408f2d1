export {
  BEDS24_BASE_URL,
  BEDS24_STATUSES,
  Beds24Client,
  type Beds24ClientOptions,
  type Beds24Status,
  type BookingQuery,
  type FetchLike,
} from './client/client.js';
export { type CreditReading, readCredits } from './client/credits.js';
export type { BookingRecord, BookingWrite, InfoItem, InfoItemWrite } from './client/wire.js';
export { type InfoItemPlan, planInfoItems } from './provider/info-items.js';
export { mapBooking, mapStatus, resourceIdOf } from './provider/mapping.js';
export { type Beds24ProviderOptions, DEFAULT_INFO_ITEM_CODE } from './provider/options.js';
export { createBeds24Provider, createGodoProvider, GODO_BASE_URL } from './provider/provider.js';
