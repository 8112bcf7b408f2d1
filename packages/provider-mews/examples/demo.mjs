// Runs the MEWS provider against the public MEWS demo environment.
//
//   pnpm --filter @brafa/core build && pnpm --filter @brafa/provider-mews build
//   export MEWS_CLIENT_TOKEN=...  MEWS_ACCESS_TOKEN=...   # public demo tokens, see README
//   node packages/provider-mews/examples/demo.mjs            # read only
//   node packages/provider-mews/examples/demo.mjs --write    # also writes, reads back and deletes one PIN token
//
// The demo is shared and public: never put real guest data or real PINs there.
import { createLogger, maskPasscode } from '@brafa/core';
import { createMewsProvider, MEWS_DEMO_URL, MewsClient } from '@brafa/provider-mews';

const clientToken = process.env.MEWS_CLIENT_TOKEN;
const accessToken = process.env.MEWS_ACCESS_TOKEN;
if (!clientToken || !accessToken) {
  console.error('Set MEWS_CLIENT_TOKEN and MEWS_ACCESS_TOKEN (the public demo tokens are in the README).');
  process.exit(1);
}
const baseUrl = process.env.MEWS_BASE_URL ?? MEWS_DEMO_URL;
const common = { baseUrl, clientToken, accessToken, client: 'Brafa PMS Sync demo 0.1.0' };
const logger = createLogger({ level: 'warn' });

// 1. Who are we talking to? (also a connectivity check)
const config = await new MewsClient(common).configuration();
console.log(
  `Enterprise: ${config.Enterprise.Name} (${config.Enterprise.Id}), zone ${config.Enterprise.TimeZoneIdentifier}`,
);

const provider = createMewsProvider({
  ...common,
  propertyId: 'demo',
  timezone: config.Enterprise.TimeZoneIdentifier,
  enterpriseId: config.Enterprise.Id,
  logger,
});

// 2. Rooms of the bookable services → units.
const units = await provider.listUnits();
console.log(`Units: ${units.length}`, units.slice(0, 5));

// 3. Reservations colliding with the next 14 days.
const now = new Date();
const window = { start: now, end: new Date(now.getTime() + 14 * 86_400_000) };
const bookings = [];
let quarantined = 0;
for await (const page of provider.fetchBookings({ window })) {
  bookings.push(...page.bookings);
  quarantined += page.quarantined.length;
}
const byStatus = {};
for (const b of bookings) byStatus[b.status] = (byStatus[b.status] ?? 0) + 1;
console.log(`Bookings: ${bookings.length} (quarantined ${quarantined})`, byStatus);
for (const b of bookings.slice(0, 5)) {
  console.log(
    ` ${b.referenceNumber} ${b.status.padEnd(9)} ${b.arrivalDate} → ${b.departureDate} resource=${b.resourceId ?? '-'}`,
  );
}

// 4. Optional: write a PIN token for one assigned, confirmed booking, read it back, delete it.
if (process.argv.includes('--write')) {
  const target = bookings.find((b) => b.status === 'confirmed' && b.resourceId && b.checkInAt > now);
  if (!target) {
    console.log('No upcoming confirmed booking with a room; nothing written.');
  } else {
    const passcode = String(100000 + Math.floor(Math.random() * 900000));
    const item = {
      propertyId: 'demo',
      bookingId: target.bookingId,
      action: 'upsert',
      passcode,
      validFrom: target.checkInAt,
      validTo: target.checkOutAt,
      resourceId: target.resourceId,
      roomId: null,
      unitName: null,
      externalIds: target.externalIds,
      ref: null,
    };
    const [written] = await provider.writeBack([item]);
    console.log('Upsert:', written.ok ? `token ${written.ref}` : written.error.message);
    const again = await provider.writeBack([item]);
    console.log(
      'Repeat (must reuse the token):',
      again[0].ok ? `token ${again[0].ref}` : again[0].error.message,
    );
    const tokens = await provider.client.resourceAccessTokens([target.bookingId]);
    console.log(
      'MEWS holds:',
      tokens.map((t) => ({
        id: t.Id,
        value: maskPasscode(t.Value),
        from: t.ValidityStartUtc,
        to: t.ValidityEndUtc,
      })),
    );
    const [removed] = await provider.writeBack([
      { ...item, action: 'delete', passcode: null, ref: written.ok ? written.ref : null },
    ]);
    console.log('Delete:', removed.ok ? 'done' : removed.error.message);
  }
}
