import { describe, expect, it } from 'vitest';
import { createRig, FROM, TO, useMswServer } from './support/setup.js';

const server = useMswServer();
const FORM = 'application/x-www-form-urlencoded';
const NOW_MS = String(new Date('2026-05-01T08:00:00Z').getTime());

describe('wire format of every call', () => {
  it('logs in with the app account, sending the password as lowercase MD5', async () => {
    const { lock, fake } = createRig(server);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.requestsTo('oauth2/token')).toEqual([
      {
        method: 'POST',
        path: 'oauth2/token',
        contentType: FORM,
        fields: {
          clientId: 'client-1',
          clientSecret: 'client-secret-xyz',
          grant_type: 'password',
          username: 'owner@example.com',
          password: '29ea5438d4797bf802192127fd7064ba', // md5('app-password-123')
        },
      },
    ]);
  });

  it('accepts an MD5 given in upper case and still sends it lower case', async () => {
    const { lock, fake } = createRig(server, {
      password: undefined,
      passwordMd5: '29EA5438D4797BF802192127FD7064BA',
    });
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.requestsTo('oauth2/token')[0]?.fields.password).toBe('29ea5438d4797bf802192127fd7064ba');
  });

  it('adds a custom period passcode on the lock (addType 2, keyboardPwdType 3, ms window)', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    const token = fake.requestsTo('keyboardPwd/add')[0]?.fields.accessToken;
    expect(token).toMatch(/^at-/);
    expect(fake.requestsTo('keyboardPwd/add')).toEqual([
      {
        method: 'POST',
        path: 'keyboardPwd/add',
        contentType: FORM,
        fields: {
          clientId: 'client-1',
          accessToken: token,
          date: NOW_MS,
          lockId: '101',
          keyboardPwd: '583920',
          keyboardPwdName: 'brafa:B1',
          keyboardPwdType: '3',
          startDate: String(FROM.getTime()),
          endDate: String(TO.getTime()),
          addType: '2',
        },
      },
    ]);
    expect(fake.codes(101)).toEqual([
      expect.objectContaining({ keyboardPwdId: Number(lockCodeId), onLock: true }),
    ]);
  });

  it('rounds the window to whole minutes without shortening it', async () => {
    const { lock, fake } = createRig(server);
    await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: new Date('2026-06-01T13:00:42.500Z'),
      validTo: new Date('2026-06-04T09:00:00.001Z'),
    });
    const fields = fake.requestsTo('keyboardPwd/add')[0]?.fields;
    expect(fields?.startDate).toBe(String(Date.parse('2026-06-01T13:00:00Z')));
    expect(fields?.endDate).toBe(String(Date.parse('2026-06-04T09:01:00Z')));
  });

  it('changes the window with changeType 2, start and end together, digits only when given', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    const later = new Date(TO.getTime() + 86_400_000);
    await lock.changeCode({ lockId: '101', lockCodeId, validFrom: FROM, validTo: later });
    await lock.changeCode({ lockId: '101', lockCodeId, validFrom: FROM, validTo: later, passcode: '720461' });
    const [windowOnly, withDigits] = fake.requestsTo('keyboardPwd/change');
    expect(windowOnly).toEqual({
      method: 'POST',
      path: 'keyboardPwd/change',
      contentType: FORM,
      fields: {
        clientId: 'client-1',
        accessToken: expect.stringMatching(/^at-/),
        date: NOW_MS,
        lockId: '101',
        keyboardPwdId: lockCodeId,
        startDate: String(FROM.getTime()),
        endDate: String(later.getTime()),
        changeType: '2',
      },
    });
    expect(withDigits?.fields).toEqual({ ...windowOnly?.fields, newKeyboardPwd: '720461' });
  });

  it('deletes with deleteType 2', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    await lock.removeCode({ lockId: '101', lockCodeId });
    expect(fake.requestsTo('keyboardPwd/delete')).toEqual([
      {
        method: 'POST',
        path: 'keyboardPwd/delete',
        contentType: FORM,
        fields: {
          clientId: 'client-1',
          accessToken: expect.stringMatching(/^at-/),
          date: NOW_MS,
          lockId: '101',
          keyboardPwdId: lockCodeId,
          deleteType: '2',
        },
      },
    ]);
    expect(fake.codes(101)).toEqual([]);
  });

  it('finds a code with a GET on listKeyboardPwd and searchStr, matching the digits exactly', async () => {
    const { lock, fake } = createRig(server);
    // A name containing the digits must not be mistaken for the code (searchStr is fuzzy on names).
    fake.putCode(101, { keyboardPwd: '990011', keyboardPwdName: 'guest 583920' });
    const id = fake.putCode(101, {
      keyboardPwd: '583920',
      keyboardPwdName: 'brafa:B1',
      startDate: FROM.getTime(),
      endDate: TO.getTime(),
    });
    const found = await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(found).toEqual({
      lockCodeId: String(id),
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    expect(fake.requestsTo('lock/listKeyboardPwd')).toEqual([
      {
        method: 'GET',
        path: 'lock/listKeyboardPwd',
        contentType: null,
        fields: {
          clientId: 'client-1',
          accessToken: expect.stringMatching(/^at-/),
          date: NOW_MS,
          lockId: '101',
          searchStr: '583920',
          pageNo: '1',
          pageSize: '200',
          orderBy: '1',
        },
      },
    ]);
  });

  it('lists every code over all pages', async () => {
    const { lock, fake } = createRig(server, { pageSizes: { codes: 2 } });
    const digits = ['583920', '720461', '640918', '815273', '309584'];
    for (const d of digits) fake.putCode(101, { keyboardPwd: d });
    const listed: string[] = [];
    for await (const code of lock.listCodes('101')) listed.push(code.passcode);
    expect(listed.sort()).toEqual([...digits].sort());
    expect(fake.requestsTo('lock/listKeyboardPwd').map((r) => r.fields.pageNo)).toEqual(['1', '2', '3']);
    expect(fake.requestsTo('lock/listKeyboardPwd')[0]?.fields).not.toHaveProperty('searchStr');
  });

  it('finds a code that sits on a later page', async () => {
    const { lock, fake } = createRig(server, { pageSizes: { codes: 1 } });
    fake.putCode(101, { keyboardPwd: '583920', keyboardPwdName: 'brafa:B1' });
    fake.putCode(101, { keyboardPwd: '990011', keyboardPwdName: 'x 583920 y' });
    expect(await lock.findCode({ lockId: '101', passcode: '583920' })).toMatchObject({ passcode: '583920' });
    expect(fake.requestsTo('lock/listKeyboardPwd')).toHaveLength(2);
  });

  it('lists locks over all pages with a GET, keeping only allow-listed fields', async () => {
    const { lock, fake } = createRig(server, { pageSizes: { locks: 1 } });
    fake.addLock(103, 'Entrance', 0);
    const locks = await lock.listLocks();
    expect(locks).toEqual([
      { lockId: '101', name: 'Lock 101', hasGateway: true, batteryPercent: 87 },
      { lockId: '102', name: 'Lock 102', hasGateway: true, batteryPercent: 87 },
      { lockId: '103', name: 'Entrance', hasGateway: false, batteryPercent: 87 },
    ]);
    expect(JSON.stringify(locks)).not.toContain('SECRET-LOCK-DATA');
    expect(fake.requestsTo('lock/list').map((r) => [r.method, r.fields.pageNo, r.fields.pageSize])).toEqual([
      ['GET', '1', '1'],
      ['GET', '2', '1'],
      ['GET', '3', '1'],
    ]);
  });

  it('uses the regional hosts by name', async () => {
    const { ScienerClient } = await import('../src/index.js');
    const base = { clientId: 'c', clientSecret: 's', username: 'u', password: 'p' };
    expect(new ScienerClient(base).baseUrl).toBe('https://euapi.ttlock.com/');
    expect(new ScienerClient({ ...base, host: 'cn' }).baseUrl).toBe('https://cnapi.ttlock.com/');
    expect(new ScienerClient({ ...base, host: 'sciener' }).baseUrl).toBe('https://api.sciener.com/');
    expect(new ScienerClient({ ...base, host: 'http://127.0.0.1:8080/proxy' }).baseUrl).toBe(
      'http://127.0.0.1:8080/proxy/',
    );
  });
});
