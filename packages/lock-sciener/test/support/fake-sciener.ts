import { createHash } from 'node:crypto';
import type { Clock } from '@brafa/core';
import { HttpResponse, http } from 'msw';

/**
 * A stateful fake of the TTLock cloud, built from the developer reference (TTLock has no
 * sandbox): OAuth with expiring and refreshable tokens, the common-parameter checks, custom
 * passcodes with unique digits, capacity, paging and `searchStr`, and fault injection
 * (errcodes, lost responses, held requests for overlap measurement).
 */

export interface FakeCode {
  keyboardPwdId: number;
  lockId: number;
  keyboardPwd: string;
  keyboardPwdName: string;
  keyboardPwdType: number;
  startDate: number;
  endDate: number;
  sendDate: number;
  /** false when added with addType 1: the code exists only in the cloud. */
  onLock: boolean;
  /** TTLock refuses to change it (-3008) until used on the lock. */
  refusesChange: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  fields: Record<string, string>;
}

interface Fault {
  path: string;
  errcode?: number;
  errmsg?: string;
  /** Apply the effect, then never answer (the client times out) or drop the connection. */
  lose?: 'hang' | 'network';
  /** Answer with this HTTP status and body text instead of JSON. */
  raw?: { status: number; body: string };
}

interface Lock {
  lockId: number;
  lockAlias: string;
  hasGateway: number;
  codes: Map<number, FakeCode>;
}

interface Token {
  expiresAt: number;
  revoked: boolean;
}

export interface FakeScienerOptions {
  baseUrl?: string;
  clock: Clock;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  capacity?: number;
  expiresInSeconds?: number;
}

const ERRMSG: Record<number, string> = {
  [-3]: 'Invalid Parameter',
  10001: 'invalid client',
  10003: 'token does not exist',
  10004: 'invalid grant',
  10007: 'invalid account or invalid password',
  10011: 'invalid refresh_token',
  80000: 'date must be current time, in 5 minutes',
  [-1003]: 'Lock does not exist',
  [-2009]: 'Invalid Password',
  [-3006]: 'Invalid Passcode. Passcode should be between 6 - 9 Digits in length',
  [-3007]: 'The same passcode already exists. Please use another one',
  [-3008]: 'A Passcode that has never been used on the Lock cannot be changed',
  [-3009]:
    'There is NO SPACE to store Customized Passcodes. Please Delete Un-Used Customized Passcodes and try again',
};

export class FakeSciener {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly requests: RecordedRequest[] = [];
  /** How many times each non-zero errcode was answered. */
  readonly errcodes = new Map<number, number>();
  readonly oauth = { logins: 0, refreshes: 0 };
  /** Requests being processed right now, per lock, and the most ever seen at once. */
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  totalInFlight = 0;
  maxTotalInFlight = 0;
  private readonly clock: Clock;
  private readonly capacity: number;
  private readonly expiresInSeconds: number;
  private readonly locks = new Map<number, Lock>();
  private readonly accessTokens = new Map<string, Token>();
  private readonly refreshTokens = new Set<string>();
  private readonly faults: Fault[] = [];
  private nextId = 5000;
  private nextToken = 1;
  private sendDateSeq = 0;
  private gate: { promise: Promise<void>; release: () => void } | undefined;

  constructor(options: FakeScienerOptions) {
    this.baseUrl = options.baseUrl ?? 'http://127.0.0.1:9/sciener';
    this.clock = options.clock;
    this.clientId = options.clientId ?? 'client-1';
    this.clientSecret = options.clientSecret ?? 'client-secret-xyz';
    this.username = options.username ?? 'owner@example.com';
    this.password = options.password ?? 'app-password-123';
    this.capacity = options.capacity ?? 250;
    this.expiresInSeconds = options.expiresInSeconds ?? 7_776_000;
  }

  // ---- setup and inspection ------------------------------------------------------------

  addLock(lockId: number, lockAlias = `Lock ${lockId}`, hasGateway = 1): void {
    this.locks.set(lockId, { lockId, lockAlias, hasGateway, codes: new Map() });
  }

  codes(lockId: number): FakeCode[] {
    return [...(this.locks.get(lockId)?.codes.values() ?? [])].map((c) => ({ ...c }));
  }

  /** A code put on the lock by someone else (the app, another integration). */
  putCode(lockId: number, code: Partial<FakeCode> & { keyboardPwd: string }): number {
    const id = this.nextId++;
    this.lock(lockId).codes.set(id, {
      keyboardPwdId: id,
      lockId,
      keyboardPwdName: '',
      keyboardPwdType: 3,
      startDate: 0,
      endDate: 0,
      sendDate: this.sendDate(),
      onLock: true,
      refusesChange: false,
      ...code,
    });
    return id;
  }

  refuseChanges(lockId: number, keyboardPwdId: number): void {
    const code = this.lock(lockId).codes.get(keyboardPwdId);
    if (code) code.refusesChange = true;
  }

  /** Issue a token pair directly (as if obtained earlier and persisted). */
  issueTokens(expiresAt: number): { accessToken: string; refreshToken: string } {
    const accessToken = `at-${this.nextToken++}-0123456789abcdef`;
    const refreshToken = `rt-${this.nextToken++}-0123456789abcdef`;
    this.accessTokens.set(accessToken, { expiresAt, revoked: false });
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** Every access token issued so far is now revoked (TTLock answers 10004). */
  revokeAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
  }

  failNext(path: string, errcode: number, times = 1, errmsg?: string): void {
    for (let i = 0; i < times; i++) this.faults.push({ path, errcode, ...(errmsg ? { errmsg } : {}) });
  }

  /** The next call to `path` takes effect, but its response never arrives. */
  loseNextResponse(path: string, how: 'hang' | 'network' = 'hang'): void {
    this.faults.push({ path, lose: how });
  }

  answerRawNext(path: string, status: number, body: string): void {
    this.faults.push({ path, raw: { status, body } });
  }

  /** Hold every `/v3` request inside the handler until `release()`. */
  hold(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { promise, release };
  }

  release(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.release();
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  // ---- msw handlers --------------------------------------------------------------------

  handlers() {
    return [
      http.post(`${this.baseUrl}/oauth2/token`, async ({ request }) => {
        const fields = Object.fromEntries(new URLSearchParams(await request.text()));
        this.record('POST', 'oauth2/token', request, fields);
        const fault = this.takeFault('oauth2/token');
        if (fault?.errcode !== undefined) return this.fail(fault.errcode, fault.errmsg);
        if (fault?.raw) return new HttpResponse(fault.raw.body, { status: fault.raw.status });
        return this.oauthToken(fields);
      }),
      http.all(`${this.baseUrl}/v3/*`, async ({ request }) => {
        const url = new URL(request.url);
        const path = url.pathname.slice(`${new URL(this.baseUrl).pathname}/v3/`.length);
        const fields =
          request.method === 'GET'
            ? Object.fromEntries(url.searchParams)
            : Object.fromEntries(new URLSearchParams(await request.text()));
        this.record(request.method, path, request, fields);
        return this.api(request, path, fields);
      }),
    ];
  }

  private record(method: string, path: string, request: Request, fields: Record<string, string>): void {
    this.requests.push({ method, path, contentType: request.headers.get('content-type'), fields });
  }

  private fail(errcode: number, errmsg?: string) {
    this.errcodes.set(errcode, (this.errcodes.get(errcode) ?? 0) + 1);
    return HttpResponse.json({ errcode, errmsg: errmsg ?? ERRMSG[errcode] ?? 'failed', description: '失败' });
  }

  private ok() {
    return HttpResponse.json({ errcode: 0, errmsg: 'none error message', description: '表示成功或是' });
  }

  private oauthToken(f: Record<string, string>) {
    if (f.clientId !== this.clientId || f.clientSecret !== this.clientSecret) return this.fail(10001);
    if (f.grant_type === 'refresh_token') {
      if (!f.refresh_token || !this.refreshTokens.has(f.refresh_token)) return this.fail(10011);
      this.refreshTokens.delete(f.refresh_token);
      this.oauth.refreshes++;
      return HttpResponse.json(this.tokenBody());
    }
    const md5 = createHash('md5').update(this.password).digest('hex');
    if (f.username !== this.username || f.password !== md5) return this.fail(10007);
    this.oauth.logins++;
    return HttpResponse.json(this.tokenBody());
  }

  private tokenBody() {
    const pair = this.issueTokens(this.clock.now().getTime() + this.expiresInSeconds * 1000);
    return {
      access_token: pair.accessToken,
      uid: 2340,
      refresh_token: pair.refreshToken,
      expires_in: this.expiresInSeconds,
    };
  }

  private async api(request: Request, path: string, f: Record<string, string>) {
    // Common parameters first, in the order TTLock would reject them.
    if (f.clientId !== this.clientId) return this.fail(10001);
    const token = f.accessToken ? this.accessTokens.get(f.accessToken) : undefined;
    if (!token) return this.fail(10003);
    if (token.revoked || token.expiresAt <= this.clock.now().getTime()) return this.fail(10004);
    if (
      !/^\d{13}$/.test(f.date ?? '') ||
      Math.abs(Number(f.date) - this.clock.now().getTime()) > 5 * 60_000
    ) {
      return this.fail(80000);
    }
    const write = request.method === 'POST';
    if (write && !request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
      return this.fail(-3);
    }
    const lockKey = f.lockId ?? '*';
    this.enter(lockKey);
    let fault: Fault | undefined;
    let response: Response;
    try {
      if (this.gate) await this.gate.promise;
      fault = this.takeFault(path);
      if (fault?.errcode !== undefined) response = this.fail(fault.errcode, fault.errmsg);
      else if (fault?.raw) response = new HttpResponse(fault.raw.body, { status: fault.raw.status });
      else response = this.route(request.method, path, f);
    } finally {
      this.leave(lockKey);
    }
    if (fault?.lose === 'network') return HttpResponse.error();
    // The effect happened; the answer never comes. Settles only when the client gives up.
    if (fault?.lose === 'hang') {
      // The client has already given up by then; the error answer just ends the handler quietly.
      return new Promise<Response>((resolve) => {
        request.signal.addEventListener('abort', () => resolve(HttpResponse.error()));
      });
    }
    return response;
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((x) => x.path === path);
    return index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
  }

  private enter(lockKey: string): void {
    const n = (this.inFlight.get(lockKey) ?? 0) + 1;
    this.inFlight.set(lockKey, n);
    this.maxInFlight.set(lockKey, Math.max(n, this.maxInFlight.get(lockKey) ?? 0));
    this.totalInFlight++;
    this.maxTotalInFlight = Math.max(this.maxTotalInFlight, this.totalInFlight);
  }

  private leave(lockKey: string): void {
    this.inFlight.set(lockKey, (this.inFlight.get(lockKey) ?? 1) - 1);
    this.totalInFlight--;
  }

  private route(method: string, path: string, f: Record<string, string>) {
    const key = `${method} ${path}`;
    switch (key) {
      case 'POST keyboardPwd/add':
        return this.add(f);
      case 'POST keyboardPwd/change':
        return this.change(f);
      case 'POST keyboardPwd/delete':
        return this.remove(f);
      case 'GET lock/listKeyboardPwd':
        return this.listCodes(f);
      case 'GET lock/list':
        return this.listLocks(f);
      default:
        return HttpResponse.json({ errcode: -3, errmsg: `no such endpoint ${key}` }, { status: 200 });
    }
  }

  private lock(lockId: number): Lock {
    const lock = this.locks.get(lockId);
    if (!lock) throw new Error(`fake: no lock ${lockId}`);
    return lock;
  }

  private add(f: Record<string, string>) {
    const lock = this.locks.get(Number(f.lockId));
    if (!lock) return this.fail(-1003);
    const digits = f.keyboardPwd ?? '';
    if (!/^\d{4,9}$/.test(digits)) return this.fail(-3006);
    if (!f.startDate || !f.endDate || !f.addType) return this.fail(-3);
    if ([...lock.codes.values()].some((c) => c.keyboardPwd === digits)) return this.fail(-3007);
    if (lock.codes.size >= this.capacity) return this.fail(-3009);
    const id = this.nextId++;
    lock.codes.set(id, {
      keyboardPwdId: id,
      lockId: lock.lockId,
      keyboardPwd: digits,
      keyboardPwdName: f.keyboardPwdName ?? '',
      keyboardPwdType: Number(f.keyboardPwdType ?? 3),
      startDate: Number(f.startDate),
      endDate: Number(f.endDate),
      sendDate: this.sendDate(),
      onLock: f.addType === '2',
      refusesChange: false,
    });
    return HttpResponse.json({ keyboardPwdId: id });
  }

  private change(f: Record<string, string>) {
    const lock = this.locks.get(Number(f.lockId));
    if (!lock) return this.fail(-1003);
    const code = lock.codes.get(Number(f.keyboardPwdId));
    if (!code) return this.fail(-2009);
    if ((f.startDate === undefined) !== (f.endDate === undefined)) return this.fail(-3);
    if (code.refusesChange) return this.fail(-3008);
    const digits = f.newKeyboardPwd;
    if (digits !== undefined) {
      if (!/^\d{4,9}$/.test(digits)) return this.fail(-3006);
      if ([...lock.codes.values()].some((c) => c.keyboardPwd === digits && c !== code))
        return this.fail(-3007);
      code.keyboardPwd = digits;
    }
    if (f.startDate !== undefined && f.endDate !== undefined) {
      code.startDate = Number(f.startDate);
      code.endDate = Number(f.endDate);
    }
    if (f.keyboardPwdName !== undefined) code.keyboardPwdName = f.keyboardPwdName;
    return this.ok();
  }

  private remove(f: Record<string, string>) {
    const lock = this.locks.get(Number(f.lockId));
    if (!lock) return this.fail(-1003);
    if (!lock.codes.delete(Number(f.keyboardPwdId))) return this.fail(-2009);
    return this.ok();
  }

  private listCodes(f: Record<string, string>) {
    const lock = this.locks.get(Number(f.lockId));
    if (!lock) return this.fail(-1003);
    const page = this.paging(f, 200);
    if (!page || f.orderBy === undefined) return this.fail(-3);
    const search = f.searchStr;
    const all = [...lock.codes.values()]
      .filter((c) => !search || c.keyboardPwd === search || c.keyboardPwdName.includes(search))
      .sort((a, b) => b.sendDate - a.sendDate);
    return HttpResponse.json(
      this.slice(
        all.map(({ onLock: _o, refusesChange: _r, ...wire }) => ({
          ...wire,
          keyboardPwdType: String(wire.keyboardPwdType),
          isCustom: 1,
          senderUsername: this.username,
        })),
        page,
      ),
    );
  }

  private listLocks(f: Record<string, string>) {
    const page = this.paging(f, 1000);
    if (!page) return this.fail(-3);
    const all = [...this.locks.values()].map((l) => ({
      lockId: l.lockId,
      lockName: `S202_${l.lockId}`,
      lockAlias: l.lockAlias,
      lockMac: '52:D6:C1:D7:4F:AB',
      electricQuantity: 87,
      hasGateway: l.hasGateway,
      featureValue: 'F44354CD5F3',
      keyboardPwdVersion: 4,
      lockData: 'SECRET-LOCK-DATA-never-log-me',
    }));
    return HttpResponse.json(this.slice(all, page));
  }

  private paging(f: Record<string, string>, max: number): { pageNo: number; pageSize: number } | undefined {
    const pageNo = Number(f.pageNo);
    const pageSize = Number(f.pageSize);
    if (
      !Number.isInteger(pageNo) ||
      pageNo < 1 ||
      !Number.isInteger(pageSize) ||
      pageSize < 1 ||
      pageSize > max
    ) {
      return undefined;
    }
    return { pageNo, pageSize };
  }

  private slice<T>(all: T[], page: { pageNo: number; pageSize: number }) {
    const start = (page.pageNo - 1) * page.pageSize;
    return {
      list: all.slice(start, start + page.pageSize),
      pageNo: page.pageNo,
      pageSize: page.pageSize,
      pages: Math.ceil(all.length / page.pageSize),
      total: all.length,
    };
  }

  private sendDate(): number {
    return this.clock.now().getTime() + this.sendDateSeq++;
  }
}
