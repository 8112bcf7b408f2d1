import { AuthError, ValidationError, type WebhookRequest } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createBookingFactoryProvider } from '../src/index.js';
import { reservation } from './support/fake-tbf.js';

const secret = 'tbf-push-secret-0123456789';
const provider = createBookingFactoryProvider({
  propertyId: 'P1',
  timezone: 'Europe/London',
  webhookSecret: secret,
});

function push(body: unknown, auth = `Bearer ${secret}`): WebhookRequest {
  return {
    propertyId: 'P1',
    method: 'POST',
    query: {},
    headers: { Authorization: auth, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

describe('TBF pushed reservations', () => {
  it('returns the pushed bookings, cancellations included', () => {
    const events = provider.parseWebhook!(
      push({ bookings: [reservation(1), reservation(2, { status: 'cancelled' })] }),
    );
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.type).toBe('bookings.pushed');
    if (event!.type !== 'bookings.pushed') return;
    expect(event!.bookings.map((b) => [b.bookingId, b.status])).toEqual([
      ['1:11', 'confirmed'],
      ['2:21', 'cancelled'],
    ]);
    expect(event!.quarantined).toEqual([]);
  });

  it('accepts a single reservation object', () => {
    const [event] = provider.parseWebhook!(push({ bookings: reservation(3) }));
    expect(event!.type === 'bookings.pushed' && event!.bookings.map((b) => b.bookingId)).toEqual(['3:31']);
  });

  it('quarantines a malformed reservation and keeps the others', () => {
    const [event] = provider.parseWebhook!(
      push({ bookings: [reservation(1), { id: 9, date_from: 'soon' }] }),
    );
    if (event!.type !== 'bookings.pushed') throw new Error('unexpected event');
    expect(event!.bookings).toHaveLength(1);
    expect(event!.quarantined).toEqual([
      {
        recordId: '9',
        reason: 'TBF booking date_from: expected YYYY-MM-DD',
        raw: { id: 9, date_from: 'soon' },
      },
    ]);
  });

  it('rejects a wrong, missing or unprefixed secret with AuthError', () => {
    expect(() => provider.parseWebhook!(push({ bookings: [] }, `Bearer ${secret}0`))).toThrow(AuthError);
    expect(() => provider.parseWebhook!(push({ bookings: [] }, ''))).toThrow(AuthError);
    expect(() => provider.parseWebhook!(push({ bookings: [] }, secret))).toThrow(AuthError);
  });

  it('rejects malformed bodies with ValidationError', () => {
    expect(() => provider.parseWebhook!(push('{"bookings": ['))).toThrow(
      new ValidationError('body', 'malformed JSON'),
    );
    expect(() => provider.parseWebhook!(push({ reservations: [] }))).toThrow(
      new ValidationError('bookings', 'expected a booking or an array of bookings'),
    );
  });
});
