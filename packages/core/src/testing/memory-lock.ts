import { CapacityError, DuplicateCodeError, PermanentError, TransientError } from '../errors/errors.js';
import type {
  AddCodeRequest,
  ChangeCodeRequest,
  LockCapabilities,
  LockCode,
  LockProvider,
} from '../ports/lock.js';

export type LockOperation = 'add' | 'change' | 'remove' | 'find' | 'list';

export interface LockCall {
  op: LockOperation;
  lockId: string;
  lockCodeId?: string;
  at: number;
}

/**
 * An in-memory keypad lock cloud: refuses duplicate digits on a lock, holds a limited number
 * of codes, and can be told to fail or to lose a response (the code is stored but the caller
 * sees a timeout) — the cases that matter for a correct engine.
 */
export class MemoryLock implements LockProvider {
  readonly kind = 'memory';
  readonly capabilities: LockCapabilities;
  readonly calls: LockCall[] = [];
  private readonly locks = new Map<string, Map<string, LockCode>>();
  private readonly faults: Array<{ op: LockOperation; error: Error; lose?: boolean }> = [];
  private nextId = 1000;

  constructor(options: { capacity?: number } = {}) {
    this.capabilities = { maxCodesPerLock: options.capacity ?? 250, passcodeLengths: { min: 4, max: 9 } };
  }

  /** Make the next call of `op` fail with `error` (queued, first in first out). */
  failNext(op: LockOperation, error: Error = new TransientError('gateway busy')): void {
    this.faults.push({ op, error });
  }

  /** The next `op` takes effect on the lock, but the caller gets a timeout. */
  loseNextResponse(op: 'add' | 'change' | 'remove'): void {
    this.faults.push({ op, error: new TransientError('timeout: response lost'), lose: true });
  }

  /** Codes on a lock, as the lock holds them (for assertions). */
  codesOn(lockId: string): LockCode[] {
    return [...(this.locks.get(lockId)?.values() ?? [])].map((c) => ({ ...c }));
  }

  /** Change the lock behind the SDK's back (keypad or app). */
  putDirectly(lockId: string, code: Omit<LockCode, 'lockCodeId'>): string {
    const id = String(this.nextId++);
    this.lock(lockId).set(id, { ...code, lockCodeId: id });
    return id;
  }

  callCount(op?: LockOperation): number {
    return op ? this.calls.filter((c) => c.op === op).length : this.calls.length;
  }

  async addCode(r: AddCodeRequest): Promise<{ lockCodeId: string }> {
    return this.run('add', r.lockId, undefined, () => {
      const codes = this.lock(r.lockId);
      if ([...codes.values()].some((c) => c.passcode === r.passcode)) {
        throw new DuplicateCodeError('the same passcode already exists on the lock', { code: 'duplicate' });
      }
      if (codes.size >= (this.capabilities.maxCodesPerLock ?? Number.POSITIVE_INFINITY)) {
        throw new CapacityError('no space on the lock for more passcodes', { code: 'full' });
      }
      const lockCodeId = String(this.nextId++);
      codes.set(lockCodeId, {
        lockCodeId,
        passcode: r.passcode,
        name: r.name,
        validFrom: r.validFrom,
        validTo: r.validTo,
      });
      return { lockCodeId };
    });
  }

  async changeCode(r: ChangeCodeRequest): Promise<undefined> {
    return this.run('change', r.lockId, r.lockCodeId, () => {
      const codes = this.lock(r.lockId);
      const code = codes.get(r.lockCodeId);
      if (!code)
        throw new PermanentError(`passcode ${r.lockCodeId} does not exist on lock ${r.lockId}`, {
          code: 'missing',
        });
      if (
        r.passcode &&
        r.passcode !== code.passcode &&
        [...codes.values()].some((c) => c.passcode === r.passcode)
      ) {
        throw new DuplicateCodeError('the same passcode already exists on the lock', { code: 'duplicate' });
      }
      codes.set(r.lockCodeId, {
        ...code,
        passcode: r.passcode ?? code.passcode,
        validFrom: r.validFrom,
        validTo: r.validTo,
      });
      return undefined;
    });
  }

  async removeCode(r: { lockId: string; lockCodeId: string }): Promise<void> {
    return this.run('remove', r.lockId, r.lockCodeId, () => {
      this.lock(r.lockId).delete(r.lockCodeId);
    });
  }

  async findCode(r: { lockId: string; passcode: string }): Promise<LockCode | undefined> {
    return this.run('find', r.lockId, undefined, () => {
      const found = [...this.lock(r.lockId).values()].find((c) => c.passcode === r.passcode);
      return found && { ...found };
    });
  }

  async *listCodes(lockId: string): AsyncIterable<LockCode> {
    const codes = await this.run('list', lockId, undefined, () => this.codesOn(lockId));
    yield* codes;
  }

  private lock(lockId: string): Map<string, LockCode> {
    let codes = this.locks.get(lockId);
    if (!codes) {
      codes = new Map();
      this.locks.set(lockId, codes);
    }
    return codes;
  }

  private async run<T>(
    op: LockOperation,
    lockId: string,
    lockCodeId: string | undefined,
    effect: () => T,
  ): Promise<T> {
    this.calls.push({ op, lockId, ...(lockCodeId ? { lockCodeId } : {}), at: Date.now() });
    await Promise.resolve();
    const i = this.faults.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [fault] = this.faults.splice(i, 1);
      if (fault!.lose) effect();
      throw fault!.error;
    }
    return effect();
  }
}
