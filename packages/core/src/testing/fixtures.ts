import {
  type AccessCode,
  accessCodeId,
  type Booking,
  type BookingInput,
  bookingSchema,
  type Property,
  type PropertyInput,
  propertySchema,
} from '../domain/schemas.js';

/** A valid property with sensible defaults, for tests. */
export function makeProperty(overrides: Partial<PropertyInput> = {}): Property {
  return propertySchema.parse({
    id: 'P1',
    provider: 'memory',
    timezone: 'Europe/Prague',
    checkInTime: '15:00',
    checkOutTime: '11:00',
    ...overrides,
  });
}

/** A valid confirmed booking, for tests. */
export function makeBooking(overrides: Partial<BookingInput> = {}): Booking {
  return bookingSchema.parse({
    propertyId: 'P1',
    bookingId: 'B1',
    roomId: 'R1',
    unitName: '101',
    guestName: 'Ada Guest',
    arrivalDate: '2026-05-01',
    departureDate: '2026-05-03',
    status: 'confirmed',
    ...overrides,
  });
}

export function makeAccessCode(overrides: Partial<AccessCode> = {}): AccessCode {
  const propertyId = overrides.propertyId ?? 'P1';
  const bookingId = overrides.bookingId ?? 'B1';
  const lockId = overrides.lockId ?? 'L1';
  return {
    id: accessCodeId(propertyId, bookingId, lockId),
    propertyId,
    bookingId,
    lockId,
    passcode: '583920',
    attempt: 0,
    validFrom: new Date('2026-05-01T13:00:00Z'),
    validTo: new Date('2026-05-03T09:00:00Z'),
    lockCodeId: null,
    lockPasscode: null,
    state: 'pending',
    revision: 1,
    attempts: 0,
    lastError: null,
    updatedAt: new Date('2026-04-01T00:00:00Z'),
    ...overrides,
  };
}
