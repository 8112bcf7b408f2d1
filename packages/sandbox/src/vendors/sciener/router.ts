import { jsonReply, SandboxReply, type Sleep } from '../../util/http.js';
import { md5Hex } from '../../util/md5.js';
import { createPrng, deriveSeed, type Prng } from '../../util/prng.js';
import type { SciCode } from '../../world/types.js';
import type { SandboxRequest, VendorContext, VendorRouter } from '../types.js';
import { ScienerFailure, scienerError, scienerOk } from './errors.js';
import {
  assertGateway,
  assertUniqueDigits,
  checkDigits,
  codesOf,
  defaultPasscodeRules,
  findLock,
  optionalInt,
  type Params,
  type PasscodeRules,
  requireInt,
} from './passcodes.js';

export interface ScienerOptions extends Partial<PasscodeRules> {
  /** Reject `date` more than 5 minutes from the sandbox clock with 80000 (sciener.md §3); default true. */
  checkDate?: boolean;
  /** How long a gateway operation holds its lock (ms); a second operation meanwhile gets -3037. */
  gatewayMs?: number;
  /** Access-token lifetime in seconds (sciener.md §4.1: 7 776 000 = 90 days). */
  tokenTtlSeconds?: number;
}

const FIVE_MINUTES = 5 * 60 * 1000;

/**
 * TTLock / Sciener Open Platform fake (sciener.md): OAuth at `/oauth2/token`, passcodes and locks
 * under `/v3`. Writes are form posts, reads are query strings, failures are HTTP 200 + errcode.
 */
export function createScienerRouter(
  ctx: VendorContext & { sleep: Sleep },
  options: ScienerOptions = {},
): VendorRouter {
  const rules: PasscodeRules = { ...defaultPasscodeRules, ...stripUndefined(options) };
  const ttl = options.tokenTtlSeconds ?? 7_776_000;
  const checkDate = options.checkDate ?? true;
  const prng: Prng = createPrng(deriveSeed(ctx.world.seed, 'sciener'));
  const busy = new Set<number>();
  const account = () => ctx.world.sciener.account;

  function issue(): { access_token: string; refresh_token: string; uid: number; expires_in: number } {
    const acc = account();
    const accessToken = prng.hex(32);
    const refreshToken = prng.hex(32);
    acc.accessTokens[accessToken] = ctx.clock.now().getTime() + ttl * 1000;
    acc.refreshTokens.push(refreshToken);
    return { access_token: accessToken, refresh_token: refreshToken, uid: acc.uid, expires_in: ttl };
  }

  /** `POST /oauth2/token`, password and refresh grants (sciener.md §4.1, §4.2). */
  function oauth(params: Params): unknown {
    const acc = account();
    const clientId = params.get('clientId') ?? params.get('client_id');
    const clientSecret = params.get('clientSecret') ?? params.get('client_secret');
    if (clientId !== acc.clientId) throw new ScienerFailure(10000);
    if (clientSecret !== acc.clientSecret) throw new ScienerFailure(10001);
    if (params.get('grant_type') === 'refresh_token') {
      const refresh = params.get('refresh_token');
      if (refresh === null || !acc.refreshTokens.includes(refresh)) throw new ScienerFailure(10011);
      // The doc example returns the same refresh token (sciener.md §4.2): no rotation here.
      const accessToken = prng.hex(32);
      acc.accessTokens[accessToken] = ctx.clock.now().getTime() + ttl * 1000;
      return { access_token: accessToken, refresh_token: refresh, uid: acc.uid, expires_in: ttl };
    }
    // The password must be the MD5 (32 lowercase hex) of the app password; plain gives 10007.
    if (params.get('username') !== acc.username || params.get('password') !== md5Hex(acc.password)) {
      throw new ScienerFailure(10007);
    }
    return { ...issue(), openid: acc.uid, scope: 'user,key,room', token_type: 'Bearer' };
  }

  /** Common parameters of every `/v3` call: clientId, accessToken, date (sciener.md §3). */
  function authenticate(params: Params): void {
    const acc = account();
    if (params.get('clientId') !== acc.clientId) throw new ScienerFailure(10000);
    const token = params.get('accessToken');
    if (token === null || token === '') throw new ScienerFailure(10003);
    const expiresAt = acc.accessTokens[token];
    if (expiresAt === undefined || expiresAt <= ctx.clock.now().getTime()) throw new ScienerFailure(10004);
    const date = optionalInt(params, 'date');
    if (date === null) throw new ScienerFailure(-3);
    if (checkDate && Math.abs(date - ctx.clock.now().getTime()) > FIVE_MINUTES)
      throw new ScienerFailure(80000);
  }

  /** Hold the lock for the gateway round trip; a concurrent operation on it is rejected (-3037). */
  async function onGateway<T>(lockId: number, fn: () => T): Promise<T> {
    if (busy.has(lockId)) throw new ScienerFailure(-3037);
    busy.add(lockId);
    try {
      if (options.gatewayMs) await ctx.sleep(options.gatewayMs);
      return fn();
    } finally {
      busy.delete(lockId);
    }
  }

  /** `POST /v3/keyboardPwd/add` (sciener.md §5.1). */
  async function add(params: Params): Promise<unknown> {
    const lock = findLock(ctx.world, requireInt(params, 'lockId'));
    const passcode = params.get('keyboardPwd') ?? '';
    const type = optionalInt(params, 'keyboardPwdType') ?? 3;
    const addType = optionalInt(params, 'addType') ?? 1;
    const startDate = optionalInt(params, 'startDate');
    const endDate = optionalInt(params, 'endDate');
    if (type !== 2 && type !== 3) throw new ScienerFailure(-3);
    if (type === 3 && (startDate === null || endDate === null || endDate <= startDate))
      throw new ScienerFailure(-3);
    if (![1, 2, 4].includes(addType)) throw new ScienerFailure(-3);
    checkDigits(passcode, rules);
    const create = (): unknown => {
      const onLock = codesOf(ctx.world, lock.lockId).filter((c) => c.cloud !== null);
      if (onLock.length >= rules.maxCodesPerLock) throw new ScienerFailure(-3009);
      assertUniqueDigits(ctx.world, lock.lockId, passcode, null);
      const period = { passcode, startDate: startDate ?? 0, endDate: endDate ?? 0 };
      const code: SciCode = {
        keyboardPwdId: ctx.world.sciener.nextPwdId,
        lockId: lock.lockId,
        cloud: {
          ...period,
          name: params.get('keyboardPwdName') ?? '',
          type,
          sendDate: ctx.clock.now().getTime(),
          addType,
        },
        // addType 1 means "the app already put it on the lock over Bluetooth": called directly,
        // the code exists only in the cloud and cannot open the door (sciener.md §5.1 warning).
        device: addType === 1 ? null : period,
      };
      ctx.world.sciener.nextPwdId += 1;
      ctx.world.sciener.codes.push(code);
      return { keyboardPwdId: code.keyboardPwdId };
    };
    if (addType === 1) return create();
    assertGateway(lock);
    return onGateway(lock.lockId, create);
  }

  function cloudCode(lockId: number, keyboardPwdId: number): SciCode {
    const code = codesOf(ctx.world, lockId).find(
      (c) => c.keyboardPwdId === keyboardPwdId && c.cloud !== null,
    );
    if (!code) throw new ScienerFailure(-2009);
    return code;
  }

  /** `POST /v3/keyboardPwd/change` (sciener.md §5.2). */
  async function change(params: Params): Promise<SandboxReply> {
    const lock = findLock(ctx.world, requireInt(params, 'lockId'));
    const code = cloudCode(lock.lockId, requireInt(params, 'keyboardPwdId'));
    const name = params.get('keyboardPwdName');
    const newPwd = params.get('newKeyboardPwd');
    const startDate = optionalInt(params, 'startDate');
    const endDate = optionalInt(params, 'endDate');
    const changeType = optionalInt(params, 'changeType');
    if (newPwd !== null && newPwd !== '') checkDigits(newPwd, rules);
    // Without startDate (or endDate) the period change "will not take effect" even though the call
    // succeeds (sciener.md §5.2, zh page); the fake keeps the old period in that case.
    const period = startDate !== null && endDate !== null ? { startDate, endDate } : null;
    if (period && period.endDate <= period.startDate) throw new ScienerFailure(-3);
    const apply = (): SandboxReply => {
      const cloud = code.cloud;
      if (!cloud) throw new ScienerFailure(-2009);
      if (newPwd) assertUniqueDigits(ctx.world, lock.lockId, newPwd, code.keyboardPwdId);
      if (name !== null) cloud.name = name;
      if (newPwd) cloud.passcode = newPwd;
      if (period) Object.assign(cloud, period);
      // Only changeType 2 reaches the lock through the gateway; otherwise the cloud changes alone.
      if (changeType === 2 && code.device) {
        if (newPwd) code.device.passcode = newPwd;
        if (period) Object.assign(code.device, period);
      }
      return scienerOk();
    };
    if (changeType !== 2) return apply();
    assertGateway(lock);
    return onGateway(lock.lockId, apply);
  }

  /** `POST /v3/keyboardPwd/delete` and `/deleteByCode` (sciener.md §5.3, §5.4). */
  async function remove(params: Params, byCode: boolean): Promise<SandboxReply> {
    const lock = findLock(ctx.world, requireInt(params, 'lockId'));
    const code = byCode
      ? codesOf(ctx.world, lock.lockId).find(
          (c) => c.cloud !== null && c.cloud.passcode === params.get('keyboardPwd'),
        )
      : cloudCode(lock.lockId, requireInt(params, 'keyboardPwdId'));
    if (!code) throw new ScienerFailure(-2009);
    const deleteType = optionalInt(params, 'deleteType') ?? 1;
    const apply = (): SandboxReply => {
      if (!code.cloud) throw new ScienerFailure(-2009);
      code.cloud = null;
      // deleteType 1 only removes the cloud record (the app is assumed to have cleared the lock).
      if (deleteType !== 1) code.device = null;
      if (code.device === null) ctx.world.sciener.codes = ctx.world.sciener.codes.filter((c) => c !== code);
      return scienerOk();
    };
    if (deleteType === 1) return apply();
    assertGateway(lock);
    return onGateway(lock.lockId, apply);
  }

  function paging(params: Params, max: number): { pageNo: number; pageSize: number } {
    const pageNo = requireInt(params, 'pageNo');
    const pageSize = requireInt(params, 'pageSize');
    if (pageNo < 1 || pageSize < 1 || pageSize > max) throw new ScienerFailure(-3);
    return { pageNo, pageSize };
  }

  function pageOf<T>(items: T[], pageNo: number, pageSize: number) {
    return {
      list: items.slice((pageNo - 1) * pageSize, pageNo * pageSize),
      pageNo,
      pageSize,
      pages: Math.ceil(items.length / pageSize),
      total: items.length,
    };
  }

  /** `GET /v3/lock/listKeyboardPwd` (sciener.md §5.5): the cloud's list, max 200 per page. */
  function listPasscodes(params: Params): unknown {
    const lock = findLock(ctx.world, requireInt(params, 'lockId'));
    const { pageNo, pageSize } = paging(params, 200);
    const orderBy = optionalInt(params, 'orderBy') ?? 1;
    const search = params.get('searchStr');
    const rows = codesOf(ctx.world, lock.lockId)
      .filter((c) => c.cloud !== null)
      .filter((c) => {
        if (!search) return true;
        // "fuzzy search by passcode name or precise match by passcode"
        return (
          c.cloud?.passcode === search || (c.cloud?.name ?? '').toLowerCase().includes(search.toLowerCase())
        );
      })
      .map((c) => ({
        keyboardPwdId: c.keyboardPwdId,
        lockId: c.lockId,
        keyboardPwd: c.cloud?.passcode ?? '',
        keyboardPwdName: c.cloud?.name ?? '',
        keyboardPwdType: c.cloud?.type ?? 3,
        startDate: c.cloud?.startDate ?? 0,
        endDate: c.cloud?.endDate ?? 0,
        sendDate: c.cloud?.sendDate ?? 0,
        isCustom: 1,
        senderUsername: account().username,
        keyboardPwdVersion: 4,
      }));
    if (orderBy === 0) rows.sort((a, b) => a.keyboardPwdName.localeCompare(b.keyboardPwdName));
    else if (orderBy === 2) rows.sort((a, b) => b.keyboardPwdName.localeCompare(a.keyboardPwdName));
    else rows.sort((a, b) => b.sendDate - a.sendDate || b.keyboardPwdId - a.keyboardPwdId);
    return pageOf(rows, pageNo, pageSize);
  }

  /** `GET /v3/lock/list` (sciener.md §6.1): locks the account administers, max 1000 per page. */
  function listLocks(params: Params): unknown {
    const { pageNo, pageSize } = paging(params, 1000);
    const alias = params.get('lockAlias')?.toLowerCase() ?? null;
    const rows = ctx.world.sciener.locks
      .filter((l) => alias === null || l.lockAlias.toLowerCase().includes(alias))
      .map((l) => ({
        lockId: l.lockId,
        lockName: l.lockName,
        lockAlias: l.lockAlias,
        lockMac: l.lockMac,
        electricQuantity: l.electricQuantity,
        featureValue: 'F44354CD5F3',
        hasGateway: l.hasGateway ? 1 : 0,
        // A secret on the real API (sciener.md §6.1); a harmless placeholder here.
        lockData: `sandbox-lockdata-${l.lockId}`,
        groupId: 0,
        groupName: '',
        date: l.date,
        keyboardPwdVersion: 4,
      }));
    return pageOf(rows, pageNo, pageSize);
  }

  /** `GET /v3/lock/detail` (sciener.md §6.2), including placeholder secrets to test allow-lists. */
  function lockDetail(params: Params): unknown {
    const l = findLock(ctx.world, requireInt(params, 'lockId'));
    return {
      lockId: l.lockId,
      lockName: l.lockName,
      lockAlias: l.lockAlias,
      lockMac: l.lockMac,
      electricQuantity: l.electricQuantity,
      hasGateway: l.hasGateway ? 1 : 0,
      timezoneRawOffset: 3_600_000,
      featureValue: 'F44354CD5F3',
      keyboardPwdVersion: 4,
      modelNum: 'SN118_PV53',
      noKeyPwd: '9999999',
      adminPwd: 'sandbox-admin',
      lockKey: 'sandbox-lock-key',
      aesKeyStr: 'sandbox-aes',
      lockData: `sandbox-lockdata-${l.lockId}`,
    };
  }

  async function readParams(request: SandboxRequest): Promise<Params> {
    const url = new URL(request.url);
    if (request.method === 'GET') return url.searchParams;
    // Writes are application/x-www-form-urlencoded (sciener.md §3); anything else yields no params.
    const type = request.headers.get('content-type') ?? '';
    const text = await request.text();
    return type.includes('application/x-www-form-urlencoded')
      ? new URLSearchParams(text)
      : new URLSearchParams();
  }

  const routes: Record<string, (params: Params) => unknown | Promise<unknown>> = {
    'POST /v3/keyboardPwd/add': add,
    'POST /v3/keyboardPwd/change': change,
    'POST /v3/keyboardPwd/delete': (p) => remove(p, false),
    'POST /v3/keyboardPwd/deleteByCode': (p) => remove(p, true),
    'GET /v3/lock/listKeyboardPwd': listPasscodes,
    'GET /v3/lock/list': listLocks,
    // The lock-list doc text says POST while its curl is a GET; both work (sciener.md §3).
    'POST /v3/lock/list': listLocks,
    'GET /v3/lock/detail': lockDetail,
  };

  async function handle(request: SandboxRequest, path: string): Promise<SandboxReply> {
    const key = `${request.method} ${path}`;
    try {
      if (key === 'POST /oauth2/token') return jsonReply(oauth(await readParams(request)));
      const route = routes[key];
      if (!route) return jsonReply({ errcode: 404, errmsg: 'Not Found' }, 404);
      const params = await readParams(request);
      authenticate(params);
      const result = await route(params);
      return result instanceof SandboxReply ? result : jsonReply(result);
    } catch (error) {
      if (error instanceof ScienerFailure) return scienerError(error.errcode);
      throw error;
    }
  }

  return {
    relativePath: (pathname) => {
      for (const marker of ['/oauth2/', '/v3/']) {
        const index = pathname.indexOf(marker);
        if (index >= 0) return pathname.slice(index);
      }
      return null;
    },
    endpoint: (_method, path) => path,
    handle,
    faultResponse(kind, detail) {
      // TTLock signals quota and gateway trouble with errcodes on HTTP 200, never with 429.
      if (kind === 'rateLimit') return scienerError(30006);
      if (kind === 'errcode') return scienerError(detail.errcode ?? 90000);
      return new SandboxReply(
        detail.status,
        { 'content-type': 'text/html' },
        '<html><body>502 Bad Gateway</body></html>',
      );
    },
  };
}

function stripUndefined(options: ScienerOptions): Partial<PasscodeRules> {
  const out: Partial<PasscodeRules> = {};
  if (options.maxCodesPerLock !== undefined) out.maxCodesPerLock = options.maxCodesPerLock;
  if (options.minLength !== undefined) out.minLength = options.minLength;
  if (options.maxLength !== undefined) out.maxLength = options.maxLength;
  return out;
}
