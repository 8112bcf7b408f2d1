import type { BookingPage, PmsProvider } from '../../src/index.js';

/** A provider of property P1 that can only fetch: `pages` is its whole booking walk. */
export function fetchOnlyProvider(kind: string, pages: () => AsyncIterable<BookingPage>): PmsProvider {
  return {
    kind,
    propertyId: 'P1',
    capabilities: {
      webhooks: false,
      writeBack: false,
      listUnits: false,
      modifiedSince: false,
      fetchByIds: false,
    },
    fetchBookings: pages,
  };
}
