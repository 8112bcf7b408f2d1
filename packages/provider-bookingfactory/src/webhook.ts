import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, ValidationError, type WebhookEvent, type WebhookRequest } from '@brafa/core';
import type { TbfContract } from './contract.js';
import { readPath } from './fields.js';
import { mapReservation } from './mapping.js';

/** Constant-time comparison; hashing first makes both sides the same length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function header(request: WebhookRequest, name: string): string {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers))
    if (key.toLowerCase() === wanted) return value ?? '';
  return '';
}

/**
 * Reservations TBF pushes to us (the partner pattern Goki documents, bookingfactory.md §4):
 * authenticated by the secret we issued, full bookings in the body, no re-fetch possible.
 * A malformed reservation is quarantined; a malformed body is a `ValidationError`.
 */
export function parseTbfWebhook(
  request: WebhookRequest,
  ctx: { secret: string; propertyId: string; contract: TbfContract },
): WebhookEvent[] {
  const { webhook } = ctx.contract;
  const given = header(request, webhook.header);
  const token = given.startsWith(webhook.prefix) ? given.slice(webhook.prefix.length) : '';
  if (!secretsEqual(token, ctx.secret)) throw new AuthError('invalid TBF webhook secret');
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new ValidationError('body', 'malformed JSON');
  }
  const found = readPath(body, webhook.itemsPath);
  // A single reservation object is accepted as a list of one.
  const items = Array.isArray(found) ? found : found && typeof found === 'object' ? [found] : undefined;
  if (!items)
    throw new ValidationError(webhook.itemsPath || 'body', 'expected a booking or an array of bookings');
  const event: Extract<WebhookEvent, { type: 'bookings.pushed' }> = {
    type: 'bookings.pushed',
    bookings: [],
    quarantined: [],
  };
  for (const raw of items) {
    const mapped = mapReservation(raw, { propertyId: ctx.propertyId, contract: ctx.contract });
    event.bookings.push(...mapped.bookings);
    event.quarantined.push(...mapped.quarantined);
  }
  return [event];
}
