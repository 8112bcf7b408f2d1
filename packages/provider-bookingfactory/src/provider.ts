import {
  type BookingPage,
  type Clock,
  type Interval,
  type Logger,
  localDateOf,
  maskPasscode,
  PermanentError,
  type PmsProvider,
  silentLogger,
  ValidationError,
  type WebhookRequest,
  type WriteBackItem,
  type WriteBackResult,
} from '@brafa/core';
import { type FetchLike, TbfClient } from './client.js';
import { defineTbfContract, type TbfContract, type TbfContractOverrides } from './contract.js';
import { mapReservation } from './mapping.js';
import { parseTbfWebhook } from './webhook.js';

export interface BookingFactoryProviderOptions {
  /** Core's property id. */
  propertyId: string;
  /** IANA zone; TBF dates are assumed property-local `YYYY-MM-DD`. */
  timezone: string;
  /** Pull and keycode write-back over the partner contract. Omit for push-only. */
  api?: {
    baseUrl: string;
    /** The hotel's partner API key. Never logged. */
    apiKey: string;
    /** TBF's id of the hotel (fills `{hotelId}` in contract paths). */
    hotelId: string;
  };
  /** Secret we issue to TBF for pushed reservations; enables `parseWebhook`. */
  webhookSecret?: string;
  /** Overrides of `DEFAULT_TBF_CONTRACT` (see contract.ts). */
  contract?: TbfContractOverrides;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
}

function validate(options: BookingFactoryProviderOptions): void {
  if (!options.propertyId) throw new ValidationError('propertyId', 'must not be empty');
  if (!localDateOf(new Date(0), options.timezone))
    throw new ValidationError('timezone', 'not a valid IANA time zone');
  if (options.api) {
    if (!/^https?:\/\//.test(options.api.baseUrl))
      throw new ValidationError('api.baseUrl', 'expected an http(s) URL');
    if (!options.api.apiKey) throw new ValidationError('api.apiKey', 'must not be empty');
    if (!options.api.hotelId) throw new ValidationError('api.hotelId', 'must not be empty');
  }
  if (!options.api && !options.webhookSecret) {
    throw new ValidationError(
      'api',
      'configure the partner API, a webhookSecret for pushed reservations, or both',
    );
  }
}

/** The Booking Factory, over the configurable partner contract and/or pushed reservations. */
export function createBookingFactoryProvider(options: BookingFactoryProviderOptions): PmsProvider {
  validate(options);
  const contract: TbfContract = defineTbfContract(options.contract);
  const logger = options.logger ?? silentLogger;
  const client = options.api
    ? new TbfClient({
        ...options.api,
        contract,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      })
    : undefined;
  const canWrite = Boolean(client && contract.writeKeycode && contract.removeKeycode);
  const webhookSecret = options.webhookSecret;

  const provider: PmsProvider = {
    kind: 'bookingfactory',
    propertyId: options.propertyId,
    capabilities: {
      webhooks: Boolean(webhookSecret),
      writeBack: canWrite,
      listUnits: false,
      modifiedSince: false,
      fetchByIds: false,
    },

    async *fetchBookings(query: { window: Interval }): AsyncIterable<BookingPage> {
      if (!client) {
        // Push-only: TBF is the source of truth and nothing can be pulled (bookingfactory.md §5).
        logger.debug('TBF push-only property: nothing to fetch', { propertyId: options.propertyId });
        yield { bookings: [], quarantined: [] };
        return;
      }
      const window = {
        from: localDateOf(query.window.start, options.timezone),
        to: localDateOf(query.window.end, options.timezone),
      };
      const seen = new Set<string>();
      for await (const items of client.listBookings(window)) {
        const page: BookingPage = { bookings: [], quarantined: [] };
        for (const raw of items) {
          const mapped = mapReservation(raw, { propertyId: options.propertyId, contract });
          // A booking that moves between pages while we read must not appear twice.
          for (const b of mapped.bookings)
            if (!seen.has(b.bookingId) && seen.add(b.bookingId)) page.bookings.push(b);
          page.quarantined.push(...mapped.quarantined);
        }
        yield page;
      }
    },
  };

  if (canWrite && client) {
    provider.writeBack = async (items: WriteBackItem[]): Promise<WriteBackResult[]> => {
      const results: WriteBackResult[] = [];
      // TBF has no batch keycode operation (as far as we know): one idempotent call per item.
      for (const item of items) {
        const bookingId = item.externalIds.tbfBookingId;
        const roomId = item.externalIds.tbfRoomId ?? item.resourceId ?? undefined;
        try {
          if (!bookingId || !roomId) {
            throw new PermanentError(
              `TBF write-back for ${item.bookingId}: booking has no TBF booking/room id`,
            );
          }
          if (item.action === 'delete') await client.removeKeycode({ bookingId, roomId });
          else {
            if (!item.passcode || !item.validFrom || !item.validTo) {
              throw new ValidationError(
                'passcode',
                `upsert for ${item.bookingId} needs a passcode and window`,
              );
            }
            await client.writeKeycode({ bookingId, roomId }, item.passcode, item.validFrom, item.validTo);
          }
          logger.debug('TBF keycode written', {
            bookingId: item.bookingId,
            action: item.action,
            keycode: item.passcode ? maskPasscode(item.passcode) : null,
          });
          results.push({
            bookingId: item.bookingId,
            ok: true,
            ref: item.action === 'delete' ? null : `${bookingId}/${roomId}`,
          });
        } catch (error) {
          results.push({ bookingId: item.bookingId, ok: false, error: error as Error });
        }
      }
      return results;
    };
  }

  if (webhookSecret) {
    provider.parseWebhook = (request: WebhookRequest) =>
      parseTbfWebhook(request, { secret: webhookSecret, propertyId: options.propertyId, contract });
  }
  return provider;
}
