import type { Sandbox } from '@brafa/sandbox';
import { openStore } from '@brafa/store-kysely';
import { mask, type Violation } from './invariants.js';

/**
 * For a failing invariant: what the store believed about the booking, and what the PMS
 * holds (deleted tokens too), so the report shows where the two parted. PINs are masked.
 */
export async function diagnose(database: string, sandbox: Sandbox, violations: Violation[]): Promise<string> {
  const store = await openStore(database, { migrate: false });
  const lines: string[] = [];
  try {
    const seen = new Set<string>();
    for (const v of violations) {
      if (!v.bookingId || seen.has(v.bookingId) || seen.size >= 10) continue;
      seen.add(v.bookingId);
      const b = await store.getBooking(v.propertyId, v.bookingId);
      const r = sandbox.scenario.world.reservations.find((x) => x.id === v.bookingId);
      lines.push(
        `booking ${v.bookingId}: PMS ${r?.state} unit ${r?.unitName} ${r?.arrival}..${r?.departure}; store ${b?.status} unit ${b?.roomId}/${b?.unitName} resource ${b?.resourceId} ${b?.arrivalDate}..${b?.departureDate} writeBackKey ${b?.writeBackKey ? 'set' : 'null'} ref ${b?.writeBackRef} error ${b?.writeBackError} issue ${b?.issue}`,
      );
      for (const c of await store.listAccessCodes({
        propertyId: v.propertyId,
        bookingId: v.bookingId,
        includeRevoked: true,
      }))
        lines.push(
          `  code lock ${c.lockId}: ${c.state} ${mask(c.passcode)} lockCodeId ${c.lockCodeId} attempts ${c.attempts} rev ${c.revision} ${c.validFrom.toISOString()}..${c.validTo.toISOString()} error ${c.lastError}`,
        );
      for (const l of (await store.listWriteBackLogs({ propertyId: v.propertyId, bookingId: v.bookingId }))
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .slice(-8))
        lines.push(
          `  write-back ${l.at.toISOString()} ${l.action} ok=${l.ok} ref ${l.ref} ${l.detail} ${l.error ?? ''}`,
        );
      for (const t of sandbox.inspect.mewsTokens({ serviceOrderId: v.bookingId, includeDeleted: true }))
        lines.push(
          `  MEWS token ${t.Id} active=${t.IsActive} resource ${t.ResourceId} ${mask(t.Value)} ${t.ValidityStartUtc}..${t.ValidityEndUtc} updated ${t.UpdatedUtc}`,
        );
    }
  } finally {
    await store.close();
  }
  return lines.join('\n');
}
