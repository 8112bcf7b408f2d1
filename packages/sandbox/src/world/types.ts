/**
 * The sandbox's state: one neutral model of properties, units, reservations and locks, plus
 * what each vendor stores on its side (MEWS tokens and notes, Beds24 info items, TBF keycodes,
 * Sciener codes in the cloud and on the device). Vendor routers read and mutate it; the
 * scenario builder seeds and mutates it. Everything is plain data so it can be dumped as JSON.
 */

export type Vendor = 'mews' | 'beds24' | 'tbf' | 'sciener';
export const vendors: readonly Vendor[] = ['mews', 'beds24', 'tbf', 'sciener'];

export type PmsKind = 'mews' | 'beds24' | 'bookingfactory';

/** MEWS service order states (mews.md §6.4); Beds24 and TBF statuses are derived from them. */
export type ReservationState =
  | 'Inquired'
  | 'Confirmed'
  | 'Started'
  | 'Processed'
  | 'Canceled'
  | 'Optional'
  | 'Requested';

export type Beds24Status = 'confirmed' | 'request' | 'new' | 'cancelled' | 'black' | 'inquiry';

export interface WorldProperty {
  id: string;
  kind: PmsKind;
  name: string;
  timezone: string;
  checkInTime: string;
  checkOutTime: string;
  mews: { enterpriseId: string; serviceId: string; chainId: string; accessToken: string } | null;
  beds24: { propertyId: number; account: string } | null;
  tbf: { apiKey: string; hotelId: string } | null;
}

export interface WorldUnit {
  propertyId: string;
  unitName: string;
  category: string;
  active: boolean;
  seq: number;
  createdUtc: Date;
  updatedUtc: Date;
  mews: { resourceId: string; categoryId: string; assignmentId: string };
  beds24: { roomId: number; unitId: number };
  tbf: { roomId: string };
}

export interface WorldCategory {
  propertyId: string;
  name: string;
  seq: number;
  mewsId: string;
  beds24RoomId: number;
}

export interface WorldGuest {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  seq: number;
  createdUtc: Date;
  updatedUtc: Date;
}

export interface WorldReservation {
  propertyId: string;
  /** Vendor-native id: MEWS uuid, Beds24 integer (as a string), TBF reference. */
  id: string;
  number: string;
  unitName: string | null;
  /** Property-local dates. */
  arrival: string;
  departure: string;
  /** Scheduled instants (UTC), from the dates and the property's check-in/out times. */
  startUtc: Date;
  endUtc: Date;
  actualStartUtc: Date | null;
  actualEndUtc: Date | null;
  state: ReservationState;
  /** Beds24 only: overrides the status derived from `state` ('new', 'black'…). */
  beds24Status: Beds24Status | null;
  guestId: string;
  groupId: string;
  seq: number;
  createdUtc: Date;
  updatedUtc: Date;
  cancelledUtc: Date | null;
}

export interface MewsAccessToken {
  Id: string;
  EnterpriseId: string;
  ServiceOrderId: string;
  CompanionshipId: string | null;
  ResourceId: string | null;
  Type: 'PinCode' | 'RfidTag';
  Value: string;
  SerialNumber: string | null;
  ValidityStartUtc: string;
  ValidityEndUtc: string;
  Permissions: { Bed: boolean; Room: boolean; Floor: boolean; Building: boolean };
  CreatedUtc: string;
  UpdatedUtc: string;
  IsActive: boolean;
  seq: number;
}

export interface MewsNote {
  Id: string;
  OrderId: string;
  Text: string;
  Type: 'General' | 'ChannelManager' | 'SpecialRequest';
  CreatedUtc: string;
  UpdatedUtc: string;
  enterpriseId: string;
  seq: number;
}

export interface Beds24InfoItem {
  id: number;
  bookingId: number;
  createTime: string;
  code: string;
  text: string;
}

export interface Beds24Account {
  name: string;
  /** One-time invite code for `GET /authentication/setup` (beds24.md §2.1). */
  inviteCode: string;
  refreshToken: string;
  scopes: string[];
  /** Access tokens issued from the refresh token, with their expiry (ms since epoch). */
  tokens: Record<string, number>;
  credits: Array<{ at: number; cost: number }>;
}

export interface TbfKeycode {
  reservationId: string;
  roomId: string;
  keycode: string;
  validFrom: string | null;
  validTo: string | null;
  updatedAt: string;
}

/** What a Sciener lock knows about one passcode; null when that side does not hold it. */
export interface SciCodeSide {
  passcode: string;
  startDate: number;
  endDate: number;
}

export interface SciCode {
  keyboardPwdId: number;
  lockId: number;
  /** The cloud record (what `listKeyboardPwd` shows); null once deleted from the cloud. */
  cloud: (SciCodeSide & { name: string; type: number; sendDate: number; addType: number }) | null;
  /** What the physical lock holds; null when the code never reached it (addType 1) or was removed. */
  device: SciCodeSide | null;
}

export interface SciLock {
  lockId: number;
  lockName: string;
  lockAlias: string;
  lockMac: string;
  hasGateway: boolean;
  gatewayOnline: boolean;
  electricQuantity: number;
  propertyId: string | null;
  unitName: string | null;
  date: number;
}

export interface SciAccount {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  uid: number;
  /** access token → expiry (ms since epoch). */
  accessTokens: Record<string, number>;
  refreshTokens: string[];
}

export interface World {
  seed: number;
  /** Global creation sequence; MEWS cursors and "newest first" ordering use it. */
  seq: number;
  properties: WorldProperty[];
  categories: WorldCategory[];
  units: WorldUnit[];
  guests: WorldGuest[];
  reservations: WorldReservation[];
  mews: { clientToken: string; tokens: MewsAccessToken[]; notes: MewsNote[] };
  beds24: {
    accounts: Beds24Account[];
    infoItems: Beds24InfoItem[];
    nextInfoItemId: number;
    nextBookingId: number;
  };
  tbf: { keycodes: TbfKeycode[] };
  sciener: { account: SciAccount; locks: SciLock[]; codes: SciCode[]; nextPwdId: number };
}
