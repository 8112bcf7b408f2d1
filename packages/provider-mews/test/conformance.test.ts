import { describePmsProviderConformance } from '@brafa/core/testing';
import { newFake, providerFor, seed, useMsw, WEBHOOK_TOKEN } from './support/setup.js';

const server = useMsw();

describePmsProviderConformance('mews', {
  create: async () => {
    const fake = newFake();
    server.use(...fake.handlers());
    const s = seed(fake);
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const body = JSON.stringify({
      EnterpriseId: fake.enterpriseId,
      IntegrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
      Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: s.reservations.confirmed } }],
    });
    const request = (token: string) => ({
      propertyId: 'P1',
      method: 'POST',
      query: { Token: token },
      headers: {},
      body,
    });
    return {
      provider,
      window: { start: new Date('2026-04-01T00:00:00Z'), end: new Date('2026-06-01T00:00:00Z') },
      expected: {
        confirmed: [s.reservations.confirmed, s.reservations.started],
        cancelled: [s.reservations.canceled],
      },
      readWriteBack: async (booking) => {
        const token = fake.activeTokens(booking.bookingId)[0];
        if (!token) return undefined;
        return {
          passcode: token.Value,
          validFrom: new Date(token.ValidityStartUtc),
          validTo: new Date(token.ValidityEndUtc),
        };
      },
      webhook: { valid: request(WEBHOOK_TOKEN), wrongSecret: request('not-the-secret') },
    };
  },
});
