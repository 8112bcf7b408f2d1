import {
  type AddCodeRequest,
  type ChangeCodeRequest,
  DuplicateCodeError,
  type LockCapabilities,
  type LockCode,
  type LockProvider,
  type Logger,
  maskPasscode,
  PermanentError,
  silentLogger,
  TransientError,
  ValidationError,
} from '@brafa/core';
import { ScienerClient } from '../client/client.js';
import type { ScienerClientOptions } from '../client/options.js';
import { KeyedMutex } from '../concurrency/keyed-mutex.js';
import { ERRCODE } from '../errors/codes.js';
import { isErrcode } from '../errors/map.js';
import { allPages } from './pages.js';
import { type Replacement, Replacements } from './replacements.js';
import { addResult, lockItem, passcodeItem, type ScienerLockInfo, toLockCode, toLockInfo } from './wire.js';

export interface ScienerLockSettings {
  /** Override what the locks of this account accept (default 250 codes, 4–9 digits). */
  capabilities?: Partial<LockCapabilities>;
  /** Page sizes of the list calls (TTLock maxima: 200 passcodes, 1000 locks). */
  pageSizes?: { codes?: number; locks?: number };
  logger?: Logger;
}

export type ScienerLockOptions = ScienerLockSettings & (ScienerClientOptions | { client: ScienerClient });

export interface ChangeOutcome {
  /** The id the code has now: different from the request's when TTLock forced delete + add. */
  lockCodeId: string;
  replaced: boolean;
}

const MINUTE_MS = 60_000;

/**
 * `LockProvider` for TTLock / Sciener gateway and Wi-Fi locks: custom period passcodes added,
 * changed and deleted **on the lock** (addType/changeType/deleteType 2). One operation per
 * lock at a time; the client bounds concurrency across locks.
 */
export class ScienerLock implements LockProvider {
  readonly kind = 'sciener';
  readonly capabilities: LockCapabilities;
  readonly client: ScienerClient;
  private readonly logger: Logger;
  private readonly perLock = new KeyedMutex();
  private readonly replacements = new Replacements();
  private readonly codesPageSize: number;
  private readonly locksPageSize: number;

  constructor(options: ScienerLockOptions) {
    this.client = 'client' in options ? options.client : new ScienerClient(options);
    this.logger = options.logger ?? silentLogger;
    this.capabilities = {
      maxCodesPerLock: options.capabilities?.maxCodesPerLock ?? 250,
      passcodeLengths: options.capabilities?.passcodeLengths ?? { min: 4, max: 9 },
    };
    this.codesPageSize = options.pageSizes?.codes ?? 200;
    this.locksPageSize = options.pageSizes?.locks ?? 100;
  }

  async addCode(request: AddCodeRequest): Promise<{ lockCodeId: string }> {
    this.checkLockId(request.lockId);
    this.checkPasscode(request.passcode);
    const window = minuteWindow(request.validFrom, request.validTo);
    return this.perLock.run(request.lockId, () =>
      this.add(request.lockId, request.passcode, request.name, window),
    );
  }

  /** Returns the new id when -3008 forced a delete + add, so the engine tracks the new code. */
  async changeCode(request: ChangeCodeRequest): Promise<{ lockCodeId: string } | undefined> {
    const outcome = await this.changeCodeDetailed(request);
    return outcome.replaced ? { lockCodeId: outcome.lockCodeId } : undefined;
  }

  /**
   * Changes the window (and the digits when `passcode` is given). When TTLock refuses with
   * -3008 ("never used on the lock, cannot be changed") the code is deleted and added again,
   * which gives it a new id: returned here, and remembered so later calls with the old id work.
   */
  async changeCodeDetailed(request: ChangeCodeRequest): Promise<ChangeOutcome> {
    this.checkLockId(request.lockId);
    if (request.passcode !== undefined) this.checkPasscode(request.passcode);
    const window = minuteWindow(request.validFrom, request.validTo);
    return this.perLock.run(request.lockId, async () => {
      const original = request.lockCodeId;
      const earlier = this.replacements.get(request.lockId, original);
      if (earlier?.state === 'deleted') return this.addBack(request, earlier, window);
      const target = earlier?.lockCodeId ?? original;
      try {
        await this.client.call({
          method: 'POST',
          path: 'v3/keyboardPwd/change',
          kind: 'gateway',
          lockId: request.lockId,
          passcodes: request.passcode ? [request.passcode] : [],
          params: {
            lockId: request.lockId,
            keyboardPwdId: target,
            // Both ends always: TTLock ignores a period change that lacks startDate.
            startDate: window.start,
            endDate: window.end,
            changeType: 2,
            ...(request.passcode === undefined ? {} : { newKeyboardPwd: request.passcode }),
          },
        });
        return { lockCodeId: target, replaced: target !== original };
      } catch (error) {
        if (!isErrcode(error, ERRCODE.neverUsedCannotChange)) throw error;
        return this.replace(request, target, window);
      }
    });
  }

  /** Deletes the code from the lock. Already gone (-2009) is success: delete is idempotent. */
  async removeCode(request: { lockId: string; lockCodeId: string }): Promise<void> {
    this.checkLockId(request.lockId);
    await this.perLock.run(request.lockId, async () => {
      const earlier = this.replacements.get(request.lockId, request.lockCodeId);
      if (earlier?.state !== 'deleted') {
        await this.remove(request.lockId, earlier?.lockCodeId ?? request.lockCodeId);
      }
      this.replacements.delete(request.lockId, request.lockCodeId);
    });
  }

  /** The code with exactly these digits, searched with `searchStr` over all pages. */
  async findCode(request: { lockId: string; passcode: string }): Promise<LockCode | undefined> {
    this.checkLockId(request.lockId);
    return this.perLock.run(request.lockId, () => this.find(request.lockId, request.passcode));
  }

  /** Every passcode on the lock (custom and random), one request per page. */
  async *listCodes(lockId: string): AsyncIterable<LockCode> {
    this.checkLockId(lockId);
    // The lane is taken per page, not for the whole walk: the consumer may call the adapter
    // for the same lock between pages, which would otherwise deadlock.
    const fetchPage = (pageNo: number) => this.perLock.run(lockId, () => this.codesPage(lockId, pageNo));
    for await (const item of allPages(
      fetchPage,
      passcodeItem,
      `lock/listKeyboardPwd on lock ${lockId}`,
      this.logger,
    )) {
      yield toLockCode(item);
    }
  }

  /** Locks on which the account is top administrator (shared eKeys are not listed by TTLock). */
  async listLocks(): Promise<ScienerLockInfo[]> {
    const fetchPage = (pageNo: number) =>
      this.client.call({
        method: 'GET',
        path: 'v3/lock/list',
        kind: 'read',
        params: { pageNo, pageSize: this.locksPageSize },
      });
    const out: ScienerLockInfo[] = [];
    for await (const item of allPages(fetchPage, lockItem, 'lock/list', this.logger))
      out.push(toLockInfo(item));
    return out;
  }

  private async add(
    lockId: string,
    passcode: string,
    name: string | null,
    window: MinuteWindow,
  ): Promise<{ lockCodeId: string }> {
    const body = await this.client.call({
      method: 'POST',
      path: 'v3/keyboardPwd/add',
      kind: 'gateway',
      lockId,
      passcodes: [passcode],
      params: {
        lockId,
        keyboardPwd: passcode,
        ...(name ? { keyboardPwdName: name } : {}),
        keyboardPwdType: 3,
        startDate: window.start,
        endDate: window.end,
        // 2 = through the gateway onto the lock; the default 1 only writes the cloud record.
        addType: 2,
      },
    });
    const parsed = addResult.safeParse(body);
    if (!parsed.success) {
      // The lock may hold the code now; a retry meets -3007 and the engine adopts it.
      throw new TransientError(`TTLock v3/keyboardPwd/add on lock ${lockId} answered without keyboardPwdId`, {
        code: 'no_id',
      });
    }
    return { lockCodeId: parsed.data.keyboardPwdId };
  }

  private async remove(lockId: string, lockCodeId: string): Promise<void> {
    try {
      await this.client.call({
        method: 'POST',
        path: 'v3/keyboardPwd/delete',
        kind: 'gateway',
        lockId,
        params: { lockId, keyboardPwdId: lockCodeId, deleteType: 2 },
      });
    } catch (error) {
      if (isErrcode(error, ERRCODE.passcodeGone)) return;
      throw error;
    }
  }

  private async find(lockId: string, passcode: string): Promise<LockCode | undefined> {
    const fetchPage = (pageNo: number) => this.codesPage(lockId, pageNo, passcode);
    // searchStr also matches names fuzzily, so only an exact digit match counts.
    for await (const item of allPages(
      fetchPage,
      passcodeItem,
      `lock/listKeyboardPwd on lock ${lockId}`,
      this.logger,
    )) {
      if (item.keyboardPwd === passcode) return toLockCode(item);
    }
    return undefined;
  }

  private async findById(lockId: string, lockCodeId: string): Promise<LockCode | undefined> {
    const fetchPage = (pageNo: number) => this.codesPage(lockId, pageNo);
    for await (const item of allPages(
      fetchPage,
      passcodeItem,
      `lock/listKeyboardPwd on lock ${lockId}`,
      this.logger,
    )) {
      if (item.keyboardPwdId === lockCodeId) return toLockCode(item);
    }
    return undefined;
  }

  private codesPage(lockId: string, pageNo: number, searchStr?: string) {
    return this.client.call({
      method: 'GET',
      path: 'v3/lock/listKeyboardPwd',
      kind: 'read',
      lockId,
      passcodes: searchStr ? [searchStr] : [],
      params: {
        lockId,
        ...(searchStr === undefined ? {} : { searchStr }),
        pageNo,
        pageSize: this.codesPageSize,
        // 1 = newest first: a just-added code is on the first page.
        orderBy: 1,
      },
    });
  }

  /** -3008 fallback: delete the code and add it again with the requested digits and window. */
  private async replace(
    request: ChangeCodeRequest,
    target: string,
    window: MinuteWindow,
  ): Promise<ChangeOutcome> {
    const current = await this.findById(request.lockId, target);
    if (!current) {
      throw new PermanentError(
        `TTLock passcode ${target} is no longer on lock ${request.lockId}; it cannot be changed (add it again)`,
        { code: ERRCODE.passcodeGone },
      );
    }
    await this.remove(request.lockId, target);
    const pending: Replacement = {
      state: 'deleted',
      name: current.name,
      passcode: request.passcode ?? current.passcode,
    };
    // Recorded before the add, so a failed add is retried as an add and not as a change.
    this.replacements.set(request.lockId, request.lockCodeId, pending);
    return this.addBack(request, pending, window);
  }

  private async addBack(
    request: ChangeCodeRequest,
    pending: Extract<Replacement, { state: 'deleted' }>,
    window: MinuteWindow,
  ): Promise<ChangeOutcome> {
    let lockCodeId: string;
    try {
      ({ lockCodeId } = await this.add(request.lockId, pending.passcode, pending.name, window));
    } catch (error) {
      // An earlier add whose response was lost: the code is there, with our name on it.
      if (!(error instanceof DuplicateCodeError)) throw error;
      const found = await this.find(request.lockId, pending.passcode);
      if (!found || found.name !== pending.name) throw error;
      lockCodeId = found.lockCodeId;
    }
    this.replacements.set(request.lockId, request.lockCodeId, { state: 'replaced', lockCodeId });
    this.logger.warn(
      'TTLock refused to change a never-used passcode (-3008); it was deleted and added again',
      {
        lockId: request.lockId,
        oldLockCodeId: request.lockCodeId,
        lockCodeId,
        passcode: maskPasscode(pending.passcode),
      },
    );
    return { lockCodeId, replaced: true };
  }

  private checkLockId(lockId: string): void {
    if (!/^\d+$/.test(lockId)) throw new ValidationError('lockId', 'a TTLock lockId is a number');
  }

  private checkPasscode(passcode: string): void {
    const { min, max } = this.capabilities.passcodeLengths;
    if (!/^\d+$/.test(passcode) || passcode.length < min || passcode.length > max) {
      throw new ValidationError('passcode', `must be ${min}-${max} digits`);
    }
  }
}

interface MinuteWindow {
  start: number;
  end: number;
}

/**
 * TTLock keeps custom passcode validity to the minute. The start is rounded down and the end
 * up, so rounding never shortens a guest's access.
 */
function minuteWindow(validFrom: Date, validTo: Date): MinuteWindow {
  const start = Math.floor(validFrom.getTime() / MINUTE_MS) * MINUTE_MS;
  const end = Math.ceil(validTo.getTime() / MINUTE_MS) * MINUTE_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new ValidationError('validFrom', 'must be a valid date');
  if (end <= start) throw new ValidationError('validTo', 'must be after validFrom');
  return { start, end };
}
