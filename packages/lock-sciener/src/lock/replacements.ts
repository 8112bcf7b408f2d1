/**
 * TTLock refuses to change some codes (-3008), so the adapter deletes and re-adds them, which
 * gives the code a new `keyboardPwdId`. The port's `changeCode` returns nothing, so the engine
 * keeps the old id; this map sends later calls with the old id to the new code. It lives in
 * memory: after a restart the old id resolves to nothing (remove then counts as success and
 * the code expires on its own window, and a drift audit lists it).
 */
export type Replacement =
  /** Replaced: the code now has this id. */
  | { state: 'replaced'; lockCodeId: string }
  /** Deleted, but the re-add failed: a retry must add it again (name and digits kept here). */
  | { state: 'deleted'; name: string | null; passcode: string };

export class Replacements {
  private readonly byOldId = new Map<string, Replacement>();

  get(lockId: string, lockCodeId: string): Replacement | undefined {
    return this.byOldId.get(key(lockId, lockCodeId));
  }

  set(lockId: string, oldId: string, replacement: Replacement): void {
    this.byOldId.set(key(lockId, oldId), replacement);
  }

  delete(lockId: string, oldId: string): void {
    this.byOldId.delete(key(lockId, oldId));
  }
}

function key(lockId: string, lockCodeId: string): string {
  return `${lockId}\u0000${lockCodeId}`;
}
