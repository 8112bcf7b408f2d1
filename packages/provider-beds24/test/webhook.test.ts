import { AuthError, ValidationError, type WebhookRequest } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createBeds24Provider } from '../src/index.js';

const secret = 'a-long-webhook-secret-42';
const provider = createBeds24Provider({
  propertyId: 'P1',
  beds24PropertyId: 14001,
  timezone: 'Europe/Prague',
  refreshToken: 'refresh-token-x',
  webhookSecret: secret,
});

function request(overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    propertyId: 'P1',
    method: 'POST',
    query: { token: secret },
    headers: {},
    body: JSON.stringify({ booking: { id: 3061234, propertyId: 14001, status: 'cancelled' } }),
    ...overrides,
  };
}

describe('Beds24 webhooks', () => {
  it('turns a V2 booking webhook into a re-fetch of that booking', () => {
    expect(provider.parseWebhook!(request())).toEqual([
      { type: 'bookings.changed', bookingIds: ['3061234'] },
    ]);
  });

  it('accepts the V1 GET form (?bookid=…)', () => {
    expect(
      provider.parseWebhook!(request({ method: 'GET', body: '', query: { token: secret, bookid: '77' } })),
    ).toEqual([{ type: 'bookings.changed', bookingIds: ['77'] }]);
  });

  it('rejects a missing or wrong secret with AuthError', () => {
    expect(() => provider.parseWebhook!(request({ query: {} }))).toThrow(AuthError);
    expect(() => provider.parseWebhook!(request({ query: { token: `${secret}x` } }))).toThrow(AuthError);
    expect(() => provider.parseWebhook!(request({ query: { token: secret.slice(0, -1) } }))).toThrow(
      AuthError,
    );
  });

  it('rejects malformed bodies with ValidationError naming the field', () => {
    expect(() => provider.parseWebhook!(request({ body: '{nope' }))).toThrow(
      new ValidationError('body', 'malformed JSON'),
    );
    expect(() => provider.parseWebhook!(request({ body: '{"booking":{"id":"x"}}' }))).toThrow(/booking\.id/);
    expect(() => provider.parseWebhook!(request({ body: '{}' }))).toThrow(/booking: expected an object/);
  });

  it('ignores a booking of another property', () => {
    const body = JSON.stringify({ booking: { id: 1, propertyId: 999 } });
    expect(provider.parseWebhook!(request({ body }))[0]).toMatchObject({ type: 'ignored' });
  });

  it('has no webhook support without a secret', () => {
    const plain = createBeds24Provider({
      propertyId: 'P1',
      beds24PropertyId: 1,
      timezone: 'UTC',
      refreshToken: 'refresh-token-x',
    });
    expect(plain.parseWebhook).toBeUndefined();
    expect(plain.capabilities.webhooks).toBe(false);
  });
});
