import { describePmsProviderConformance } from '@brafa/core/testing';
import { createBookingFactoryProvider } from '../src/index.js';
import { FakeTbf, reservation } from './support/fake-tbf.js';
import { useMsw } from './support/setup.js';

const server = useMsw();
const secret = 'tbf-push-secret-0123456789';

describePmsProviderConformance('bookingfactory', {
  create: async () => {
    const fake = new FakeTbf({ pageSize: 2 });
    fake.seed('H1', [
      reservation(1),
      reservation(2, {
        rooms: [
          { id: 21, room_id: 102 },
          { id: 22, room_id: 103 },
        ],
      }),
      reservation(3, { status: 'cancelled' }),
      reservation(4, { status: 'checked_in' }),
    ]);
    server.use(...fake.handlers());
    const provider = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'Europe/London',
      api: { baseUrl: fake.baseUrl, apiKey: fake.apiKey, hotelId: 'H1' },
      webhookSecret: secret,
    });
    const request = (auth: string) => ({
      propertyId: 'P1',
      method: 'POST',
      query: {},
      headers: { authorization: auth },
      body: JSON.stringify({ bookings: [reservation(5)] }),
    });
    return {
      provider,
      window: { start: new Date('2026-05-25T00:00:00Z'), end: new Date('2026-06-30T00:00:00Z') },
      expected: { confirmed: ['1:11', '2:21', '2:22', '4:41'], cancelled: ['3:31'] },
      readWriteBack: async (b) => {
        const stored = fake.keycode(b.externalIds.tbfBookingId!, b.externalIds.tbfRoomId!);
        return stored ? { passcode: String(stored.body.keycode) } : undefined;
      },
      webhook: { valid: request(`Bearer ${secret}`), wrongSecret: request('Bearer not-the-secret') },
    };
  },
});
