import type { WebhookRequest } from '@brafa/core';
import { describePmsProviderConformance } from '@brafa/core/testing';
import { createGodoProvider } from '../src/index.js';
import { booking, harness, useMsw } from './support/setup.js';

const server = useMsw();

function webhook(token: string): WebhookRequest {
  return {
    propertyId: 'P1',
    method: 'POST',
    query: { token },
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      timeStamp: '2026-05-20T08:00:00Z',
      booking: { id: 1, propertyId: 14001 },
      retries: 0,
    }),
  };
}

const seed = [
  booking(1),
  booking(2, { unitId: 2 }),
  booking(3, { status: 'cancelled' }),
  booking(4, { status: 'new', roomId: 316002 }),
  booking(5, { status: 'black' }),
];

for (const kind of ['beds24', 'godo'] as const) {
  describePmsProviderConformance(kind, {
    create: async () => {
      const secret = 'webhook-secret-0123456789';
      const { provider, fake } = harness(server, {
        seed,
        pageSize: 2,
        webhookSecret: secret,
        fake: {
          roomTypes: [
            {
              id: 316001,
              name: 'Double',
              units: [
                { id: 1, name: '101' },
                { id: 2, name: '102' },
              ],
            },
            { id: 316002, name: 'Suite', units: [{ id: 1, name: 'S1' }] },
          ],
        },
      });
      const subject =
        kind === 'godo'
          ? createGodoProvider({
              propertyId: 'P1',
              beds24PropertyId: 14001,
              timezone: 'Europe/Prague',
              refreshToken: fake.refreshToken,
              baseUrl: fake.baseUrl,
              webhookSecret: secret,
            })
          : provider;
      return {
        provider: subject,
        window: { start: new Date('2026-05-25T00:00:00Z'), end: new Date('2026-06-30T00:00:00Z') },
        expected: { confirmed: ['1', '2', '4'], cancelled: ['3', '5'] },
        readWriteBack: async (b) => {
          const items = fake.infoItems(Number(b.bookingId), 'BRAFA_KEY');
          if (items.length > 1) throw new Error(`duplicate info items for booking ${b.bookingId}`);
          return items[0] ? { passcode: items[0].text } : undefined;
        },
        webhook: { valid: webhook(secret), wrongSecret: webhook('webhook-secret-0123456780') },
      };
    },
  });
}
