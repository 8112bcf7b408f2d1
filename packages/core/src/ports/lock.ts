/** A code as the lock (cloud) reports it. */
export interface LockCode {
  lockCodeId: string;
  passcode: string;
  name: string | null;
  validFrom: Date | null;
  validTo: Date | null;
}

export interface LockInfo {
  lockId: string;
  name: string | null;
}

export interface AddCodeRequest {
  lockId: string;
  passcode: string;
  /** Our tag for the code, so a lost response can be recognised later. */
  name: string;
  validFrom: Date;
  validTo: Date;
}

export interface ChangeCodeRequest {
  lockId: string;
  lockCodeId: string;
  validFrom: Date;
  validTo: Date;
  /** New digits, only when they change (reissue). */
  passcode?: string;
}

export interface LockCapabilities {
  /** Codes a lock can hold; the planner never plans beyond it. */
  maxCodesPerLock: number | null;
  passcodeLengths: { min: number; max: number };
}

/**
 * Keypad locks of one vendor account. Errors are core's typed errors: `TransientError`,
 * `PermanentError`, `DuplicateCodeError` (digits already on the lock), `AuthError`.
 */
export interface LockProvider {
  readonly kind: string;
  readonly capabilities: LockCapabilities;
  addCode(request: AddCodeRequest): Promise<{ lockCodeId: string }>;
  /**
   * Change window (and digits when given). Some locks can only delete and re-add; then the
   * code gets a new id, returned here so the store keeps tracking the right code.
   */
  changeCode(request: ChangeCodeRequest): Promise<{ lockCodeId: string } | undefined>;
  /** Idempotent: a code that is already gone counts as success. */
  removeCode(request: { lockId: string; lockCodeId: string }): Promise<void>;
  findCode(request: { lockId: string; passcode: string }): Promise<LockCode | undefined>;
  /** Every code on the lock, all pages (drift audits). */
  listCodes(lockId: string): AsyncIterable<LockCode>;
  listLocks?(): Promise<LockInfo[]>;
}
