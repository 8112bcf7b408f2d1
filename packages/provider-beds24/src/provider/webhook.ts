import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, ValidationError, type WebhookEvent, type WebhookRequest } from '@brafa/core';

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * Beds24 booking webhooks are unsigned (beds24.md §7), so the URL carries our secret as
 * `?token=…`. A V2 webhook POSTs the booking JSON; a V1 webhook is a GET with `bookid`.
 * Either way the booking is only a hint: the engine re-fetches it by id.
 */
export function parseBeds24Webhook(
  request: WebhookRequest,
  expected: { secret: string; beds24PropertyId: number },
): WebhookEvent[] {
  if (!secretsEqual(request.query.token ?? '', expected.secret))
    throw new AuthError('invalid Beds24 webhook token');
  const v1 = request.query.bookid;
  if (v1 !== undefined) {
    if (!/^\d+$/.test(v1)) throw new ValidationError('bookid', 'expected a numeric booking id');
    return [{ type: 'bookings.changed', bookingIds: [v1] }];
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new ValidationError('body', 'malformed JSON');
  }
  const booking = body && typeof body === 'object' ? (body as { booking?: unknown }).booking : undefined;
  if (!booking || typeof booking !== 'object') throw new ValidationError('booking', 'expected an object');
  const { id, propertyId } = booking as { id?: unknown; propertyId?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError('booking.id', 'expected a positive integer');
  }
  if (typeof propertyId === 'number' && propertyId !== expected.beds24PropertyId) {
    return [{ type: 'ignored', name: `booking of Beds24 property ${propertyId}` }];
  }
  return [{ type: 'bookings.changed', bookingIds: [String(id)] }];
}
