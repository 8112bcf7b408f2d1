/**
 * Which digits are taken on which lock. A lock refuses digits it already holds — even those
 * of an expired code not yet deleted — so uniqueness is checked against every code that is
 * (or may still be) on the lock, whatever its window. That is stricter than "no overlap" and
 * is what keeps two guests from ever sharing a door code.
 *
 * Digits almost always have one owner, so an owner is kept as a plain string and only a
 * shared digit gets a Set (planning 100,000 bookings made 200,000 one-element Sets).
 */
export class LockOccupancy {
  private readonly byLock = new Map<string, Map<string, string | Set<string>>>();

  add(lockId: string, passcode: string, owner: string): void {
    let codes = this.byLock.get(lockId);
    if (!codes) {
      codes = new Map();
      this.byLock.set(lockId, codes);
    }
    const owners = codes.get(passcode);
    if (owners === undefined) codes.set(passcode, owner);
    else if (typeof owners === 'string') {
      if (owners !== owner) codes.set(passcode, new Set([owners, owner]));
    } else owners.add(owner);
  }

  remove(lockId: string, passcode: string, owner: string): void {
    const codes = this.byLock.get(lockId);
    const owners = codes?.get(passcode);
    if (owners === undefined) return;
    if (typeof owners === 'string') {
      if (owners === owner) codes!.delete(passcode);
      return;
    }
    owners.delete(owner);
    if (owners.size === 0) codes!.delete(passcode);
  }

  /** True when nobody but `owner` holds these digits on the lock. */
  isFree(lockId: string, passcode: string, owner: string): boolean {
    const owners = this.byLock.get(lockId)?.get(passcode);
    if (owners === undefined) return true;
    if (typeof owners === 'string') return owners === owner;
    for (const o of owners) if (o !== owner) return false;
    return true;
  }
}
