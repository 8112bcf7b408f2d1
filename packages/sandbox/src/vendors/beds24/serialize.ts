import { isoSeconds } from '../../util/time.js';
import type {
  Beds24InfoItem,
  Beds24Status,
  WorldGuest,
  WorldProperty,
  WorldReservation,
  WorldUnit,
} from '../../world/types.js';

/** MEWS-like state → Beds24 status (beds24.md §3.4), unless the booking carries its own. */
export function beds24StatusOf(r: WorldReservation): Beds24Status {
  if (r.beds24Status) return r.beds24Status;
  switch (r.state) {
    case 'Canceled':
      return 'cancelled';
    case 'Inquired':
      return 'inquiry';
    case 'Optional':
    case 'Requested':
      return 'request';
    default:
      return 'confirmed';
  }
}

export interface BookingJsonOptions {
  personal: boolean;
  infoItems: Beds24InfoItem[] | null;
  invoiceItems: boolean;
  bookingGroup: boolean;
}

/** A booking as `GET /bookings` returns it (beds24.md §3.3 real response, §3.4 fields). */
export function bookingJson(
  r: WorldReservation,
  property: WorldProperty,
  unit: WorldUnit | null,
  roomId: number,
  guest: WorldGuest | undefined,
  options: BookingJsonOptions,
) {
  const status = beds24StatusOf(r);
  const base: Record<string, unknown> = {
    id: Number(r.id),
    masterId: null,
    propertyId: property.beds24?.propertyId ?? 0,
    roomId,
    unitId: unit?.beds24.unitId ?? 0,
    roomQty: 1,
    offerId: 0,
    status,
    subStatus: status === 'cancelled' ? 'cancelledByGuest' : 'none',
    arrival: r.arrival,
    departure: r.departure,
    numAdult: 2,
    numChild: 0,
    country: '',
    country2: '',
    arrivalTime: '',
    voucher: '',
    comments: '',
    notes: '',
    message: '',
    groupNote: '',
    custom1: '',
    flagColor: '',
    flagText: '',
    statusCode: 0,
    lang: 'en',
    referer: 'Direct',
    refererEditable: 'Direct',
    reference: '',
    channel: 'direct',
    apiSourceId: 0,
    apiSource: 'Direct',
    apiReference: '',
    allowChannelUpdate: 'all',
    allowAutoAction: 'enable',
    allowReview: 'disable',
    invoiceeId: null,
    bookingTime: isoSeconds(r.createdUtc),
    modifiedTime: isoSeconds(r.updatedUtc),
    cancelTime: r.cancelledUtc ? isoSeconds(r.cancelledUtc) : null,
  };
  // Personal fields are simply absent without the bookings-personal scope (beds24.md §2.4).
  if (options.personal && guest) {
    Object.assign(base, {
      title: '',
      firstName: guest.firstName,
      lastName: guest.lastName,
      email: guest.email,
      phone: guest.phone,
      mobile: '',
      address: '',
      city: '',
      postcode: '',
    });
  }
  if (options.bookingGroup) base.bookingGroup = null;
  if (options.invoiceItems) base.invoiceItems = [];
  if (options.infoItems) {
    base.infoItems = options.infoItems.map((i) => ({
      id: i.id,
      bookingId: i.bookingId,
      createTime: i.createTime,
      code: i.code,
      text: i.text,
    }));
  }
  return base;
}
