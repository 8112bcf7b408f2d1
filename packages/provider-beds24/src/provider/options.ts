import type { Clock, Logger, WriteBackItem } from '@brafa/core';
import type { FetchLike } from '../client/client.js';

export interface Beds24ProviderOptions {
  /** Core's property id (the store's `Property.id`). */
  propertyId: string;
  /** Beds24's numeric property id. */
  beds24PropertyId: number;
  /** IANA zone of the property; Beds24 dates are property-local (beds24.md §3.2). */
  timezone: string;
  /** From the invite-code flow (`GET /authentication/setup`). Never logged. */
  refreshToken: string;
  baseUrl?: string;
  /** Only for registered integration partners. */
  organization?: string;
  /** Info-item code we own (default `BRAFA_KEY`). Never Beds24's own `LOCK_PIN`/`LOCKSTATE_PIN`/`NUKI_PIN`. */
  infoItemCode?: string;
  /** Text written into the info item (default: the passcode, for `[BOOKINGINFOCODETEXT:BRAFA_KEY]`). */
  formatText?: (item: WriteBackItem) => string;
  /** Map Beds24 `request` bookings to confirmed (default false: they get no code). */
  requestIsConfirmed?: boolean;
  /** Bookings per `POST /bookings` (default 100). */
  writeBatchSize?: number;
  /** Booking ids per `GET /bookings?id=…` (default 50, keeps URLs short). */
  readBatchSize?: number;
  /** Shared secret for the webhook URL (`?token=…`); enables `parseWebhook`. */
  webhookSecret?: string;
  fetch?: FetchLike;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
  timeoutMs?: number;
  maxWaitMs?: number;
}

/** Names Beds24's native lock integrations own; writing them could push codes to other locks. */
export const RESERVED_INFO_CODES = ['LOCK_PIN', 'LOCKSTATE_PIN', 'NUKI_PIN'];
export const DEFAULT_INFO_ITEM_CODE = 'BRAFA_KEY';
