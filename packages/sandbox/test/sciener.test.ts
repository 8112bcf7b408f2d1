import { describe, expect, it } from 'vitest';
import { md5Hex } from '../src/index.js';
import { common, makeSandbox, type Obj, sciener, scienerToken } from './helpers.js';

function setup(options: Parameters<typeof makeSandbox>[1] = {}) {
  return makeSandbox({ properties: [{ id: 'P1', provider: 'mews', units: 3 }] }, options);
}

const period = { startDate: Date.parse('2026-03-02T14:00:00Z'), endDate: Date.parse('2026-03-05T10:00:00Z') };

async function add(
  sandbox: ReturnType<typeof setup>['sandbox'],
  token: string,
  extra: Record<string, string | number>,
) {
  return sciener<Obj>(sandbox, 'POST', '/v3/keyboardPwd/add', {
    ...common(sandbox, token),
    lockId: 1001,
    keyboardPwdName: 'brafa:P1:R1',
    keyboardPwdType: 3,
    ...period,
    addType: 2,
    ...extra,
  });
}

describe('Sciener OAuth', () => {
  it('issues a 90-day token for the MD5 password and refuses the plain password with 10007', async () => {
    const { sandbox } = setup();
    const c = sandbox.credentials().sciener;
    const ok = await sciener<Obj>(sandbox, 'POST', '/oauth2/token', {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: md5Hex(c.password),
    });
    expect(ok.json).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 7_776_000,
    });
    const plain = await sciener<Obj>(sandbox, 'POST', '/oauth2/token', {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: c.password,
    });
    expect(plain.status).toBe(200);
    expect(plain.json.errcode).toBe(10007);
    const badClient = await sciener<Obj>(sandbox, 'POST', '/oauth2/token', {
      clientId: 'x',
      clientSecret: 'y',
    });
    expect(badClient.json.errcode).toBe(10000);
  });

  it('refreshes with grant_type=refresh_token and rejects an unknown refresh token with 10011', async () => {
    const { sandbox } = setup();
    const c = sandbox.credentials().sciener;
    const login = await sciener<{ refresh_token: string }>(sandbox, 'POST', '/oauth2/token', {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: md5Hex(c.password),
    });
    const refreshed = await sciener<Obj>(sandbox, 'POST', '/oauth2/token', {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: login.json.refresh_token,
    });
    expect(refreshed.json).toMatchObject({
      access_token: expect.any(String),
      refresh_token: login.json.refresh_token,
    });
    const list = await sciener<Obj>(sandbox, 'GET', '/v3/lock/list', {
      ...common(sandbox, String(refreshed.json.access_token)),
      pageNo: 1,
      pageSize: 20,
    });
    expect(list.json.total).toBe(3);
    const bad = await sciener<Obj>(sandbox, 'POST', '/oauth2/token', {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: 'nope',
    });
    expect(bad.json.errcode).toBe(10011);
  });

  it('answers 10004 for an unknown or expired token and 80000 for a stale date', async () => {
    const { sandbox, clock } = setup();
    const token = await scienerToken(sandbox);
    const bad = await sciener<Obj>(sandbox, 'GET', '/v3/lock/list', {
      ...common(sandbox, 'bogus'),
      pageNo: 1,
      pageSize: 10,
    });
    expect(bad.json).toMatchObject({ errcode: 10004, errmsg: expect.any(String) });
    const stale = await sciener<Obj>(sandbox, 'GET', '/v3/lock/list', {
      ...common(sandbox, token),
      date: clock.now().getTime() - 6 * 60_000,
      pageNo: 1,
      pageSize: 10,
    });
    expect(stale.json.errcode).toBe(80000);
    clock.advance(7_776_000_000);
    const expired = await sciener<Obj>(sandbox, 'GET', '/v3/lock/list', {
      ...common(sandbox, token),
      pageNo: 1,
      pageSize: 10,
    });
    expect(expired.json.errcode).toBe(10004);
  });
});

describe('Sciener passcodes', () => {
  it('puts an addType=2 code on the lock and keeps an addType=1 (default) code in the cloud only', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    const onLock = await add(sandbox, token, { keyboardPwd: '482913' });
    expect(onLock.json).toEqual({ keyboardPwdId: expect.any(Number) });
    const cloudOnly = await sciener<Obj>(sandbox, 'POST', '/v3/keyboardPwd/add', {
      ...common(sandbox, token),
      lockId: 1001,
      keyboardPwd: '730146',
      keyboardPwdName: 'cloud only',
      ...period,
    });
    expect(cloudOnly.json.keyboardPwdId).toEqual(expect.any(Number));
    const codes = sandbox.inspect.lockCodes(1001);
    expect(codes.find((c) => c.passcode === '482913')).toMatchObject({ inCloud: true, onDevice: true });
    expect(codes.find((c) => c.passcode === '730146')).toMatchObject({
      inCloud: true,
      onDevice: false,
      device: null,
    });
    // The cloud list shows both: the API alone cannot tell the cloud-only code is useless.
    const list = await sciener<{ list: Array<{ keyboardPwd: string }> }>(
      sandbox,
      'GET',
      '/v3/lock/listKeyboardPwd',
      {
        ...common(sandbox, token),
        lockId: 1001,
        pageNo: 1,
        pageSize: 20,
        orderBy: 1,
      },
    );
    expect(list.json.list.map((c) => c.keyboardPwd).sort()).toEqual(['482913', '730146']);
  });

  it('rejects the same digits on one lock with -3007, also against a cloud-only code', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    await add(sandbox, token, { keyboardPwd: '482913' });
    const dup = await add(sandbox, token, { keyboardPwd: '482913', keyboardPwdName: 'other' });
    expect(dup.json).toMatchObject({ errcode: -3007 });
    // Other locks may hold the same digits.
    expect((await add(sandbox, token, { keyboardPwd: '482913', lockId: 1002 })).json.keyboardPwdId).toEqual(
      expect.any(Number),
    );
    await add(sandbox, token, { keyboardPwd: '619274', addType: 1 });
    expect((await add(sandbox, token, { keyboardPwd: '619274' })).json.errcode).toBe(-3007);
  });

  it('answers -3009 past 250 codes on a lock', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    for (let i = 0; i < 250; i++) {
      const res = await add(sandbox, token, {
        keyboardPwd: String(400_000 + i * 37),
        keyboardPwdName: `code ${i}`,
      });
      expect(res.json.keyboardPwdId, `code ${i}`).toEqual(expect.any(Number));
    }
    const full = await add(sandbox, token, { keyboardPwd: '987012' });
    expect(full.json.errcode).toBe(-3009);
    expect(sandbox.inspect.lockCodes(1001)).toHaveLength(250);
  });

  it('rejects bad lengths (-3006), simple codes (-2032), unknown locks (-1003) and a lock without gateway (-2012)', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    expect((await add(sandbox, token, { keyboardPwd: '123' })).json.errcode).toBe(-3006);
    expect((await add(sandbox, token, { keyboardPwd: '1234567890' })).json.errcode).toBe(-3006);
    expect((await add(sandbox, token, { keyboardPwd: '111111' })).json.errcode).toBe(-2032);
    expect((await add(sandbox, token, { keyboardPwd: '234567' })).json.errcode).toBe(-2032);
    expect((await add(sandbox, token, { keyboardPwd: '482913', lockId: 9 })).json.errcode).toBe(-1003);
    sandbox.scenario.setGateway(1001, { present: false });
    expect((await add(sandbox, token, { keyboardPwd: '482913' })).json.errcode).toBe(-2012);
    sandbox.scenario.setGateway(1001, { present: true, online: false });
    expect((await add(sandbox, token, { keyboardPwd: '482913' })).json.errcode).toBe(-3002);
    expect(sandbox.inspect.lockCodes(1001)).toEqual([]);
  });

  it('changes the period on the device only with changeType=2 and both dates', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    const id = Number((await add(sandbox, token, { keyboardPwd: '482913' })).json.keyboardPwdId);
    const newEnd = Date.parse('2026-03-07T10:00:00Z');
    // endDate alone: the call succeeds but does not take effect (sciener.md §5.2).
    const endOnly = await sciener<Obj>(sandbox, 'POST', '/v3/keyboardPwd/change', {
      ...common(sandbox, token),
      lockId: 1001,
      keyboardPwdId: id,
      endDate: newEnd,
      changeType: 2,
    });
    expect(endOnly.json.errcode).toBe(0);
    expect(sandbox.inspect.lockCodes(1001)[0]?.endDate?.getTime()).toBe(period.endDate);
    // changeType 1: the cloud moves, the lock does not.
    await sciener(sandbox, 'POST', '/v3/keyboardPwd/change', {
      ...common(sandbox, token),
      lockId: 1001,
      keyboardPwdId: id,
      startDate: period.startDate,
      endDate: newEnd,
      changeType: 1,
    });
    const afterCloud = sandbox.inspect.lockCodes(1001)[0];
    expect(afterCloud?.endDate?.getTime()).toBe(newEnd);
    expect(afterCloud?.device?.endDate?.getTime()).toBe(period.endDate);
    await sciener(sandbox, 'POST', '/v3/keyboardPwd/change', {
      ...common(sandbox, token),
      lockId: 1001,
      keyboardPwdId: id,
      startDate: period.startDate,
      endDate: newEnd,
      changeType: 2,
    });
    expect(sandbox.inspect.lockCodes(1001)[0]?.device?.endDate?.getTime()).toBe(newEnd);
  });

  it('deletes with deleteType=2 from cloud and lock, and answers -2009 for a missing code', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    const id = Number((await add(sandbox, token, { keyboardPwd: '482913' })).json.keyboardPwdId);
    const del = { ...common(sandbox, token), lockId: 1001, keyboardPwdId: id, deleteType: 2 };
    expect((await sciener<Obj>(sandbox, 'POST', '/v3/keyboardPwd/delete', del)).json).toMatchObject({
      errcode: 0,
    });
    expect(sandbox.inspect.lockCodes(1001)).toEqual([]);
    expect((await sciener<Obj>(sandbox, 'POST', '/v3/keyboardPwd/delete', del)).json.errcode).toBe(-2009);
  });

  it('leaves the code on the lock after a deleteType=1 delete (cloud record gone)', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    const id = Number((await add(sandbox, token, { keyboardPwd: '482913' })).json.keyboardPwdId);
    await sciener(sandbox, 'POST', '/v3/keyboardPwd/delete', {
      ...common(sandbox, token),
      lockId: 1001,
      keyboardPwdId: id,
    });
    expect(sandbox.inspect.lockCodes(1001)).toEqual([
      expect.objectContaining({ inCloud: false, onDevice: true, passcode: '482913' }),
    ]);
  });

  it('pages listKeyboardPwd (max pageSize 200) and finds a code by name or digits', async () => {
    const { sandbox } = setup();
    const token = await scienerToken(sandbox);
    for (let i = 0; i < 5; i++)
      await add(sandbox, token, { keyboardPwd: String(500_100 + i * 7), keyboardPwdName: `brafa:P1:B${i}` });
    const base = { ...common(sandbox, token), lockId: 1001, orderBy: 1 };
    const p1 = await sciener<Obj>(sandbox, 'GET', '/v3/lock/listKeyboardPwd', {
      ...base,
      pageNo: 1,
      pageSize: 2,
    });
    expect(p1.json).toMatchObject({ pageNo: 1, pageSize: 2, pages: 3, total: 5 });
    const byName = await sciener<{ list: Array<{ keyboardPwd: string }> }>(
      sandbox,
      'GET',
      '/v3/lock/listKeyboardPwd',
      {
        ...base,
        pageNo: 1,
        pageSize: 20,
        searchStr: 'b3',
      },
    );
    expect(byName.json.list.map((c) => c.keyboardPwd)).toEqual(['500121']);
    const tooBig = await sciener<Obj>(sandbox, 'GET', '/v3/lock/listKeyboardPwd', {
      ...base,
      pageNo: 1,
      pageSize: 201,
    });
    expect(tooBig.json.errcode).toBe(-3);
  });

  it('rejects a second gateway operation on the same lock while one is in flight (-3037)', async () => {
    const pending: Array<() => void> = [];
    const { sandbox } = setup({
      sciener: { gatewayMs: 1 },
      sleep: () => new Promise<void>((resolve) => pending.push(resolve)),
    });
    const token = await scienerToken(sandbox);
    const first = add(sandbox, token, { keyboardPwd: '482913' });
    await new Promise((r) => setImmediate(r));
    expect((await add(sandbox, token, { keyboardPwd: '730146' })).json.errcode).toBe(-3037);
    // Another lock is not blocked.
    const other = add(sandbox, token, { keyboardPwd: '730146', lockId: 1002 });
    await new Promise((r) => setImmediate(r));
    for (const release of pending) release();
    expect((await first).json.keyboardPwdId).toEqual(expect.any(Number));
    expect((await other).json.keyboardPwdId).toEqual(expect.any(Number));
    // Once the first finished, the lock takes the next operation.
    const third = add(sandbox, token, { keyboardPwd: '619274' });
    await new Promise((r) => setImmediate(r));
    for (const release of pending) release();
    expect((await third).json.keyboardPwdId).toEqual(expect.any(Number));
  });
});
