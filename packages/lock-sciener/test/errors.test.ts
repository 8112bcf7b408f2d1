import { AuthError, CapacityError, DuplicateCodeError, PermanentError, TransientError } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createRig, FROM, TO, useMswServer } from './support/setup.js';

const server = useMswServer();
const add = (passcode = '583920', lockId = '101') => ({
  lockId,
  passcode,
  name: 'brafa:B1',
  validFrom: FROM,
  validTo: TO,
});

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error;
}

describe('errcode classification', () => {
  it.each([
    [-3002, TransientError],
    [-3003, TransientError],
    [-3036, TransientError],
    [-3037, TransientError],
    [-2012, TransientError],
    [90000, TransientError],
    [-3, PermanentError],
    [-3006, PermanentError],
    [-2032, PermanentError],
    [-3009, CapacityError],
    [-4056, CapacityError],
    [-1003, PermanentError],
    [-4043, PermanentError],
    [20002, PermanentError],
    [30008, PermanentError],
    [-99999, PermanentError],
    [-3007, DuplicateCodeError],
    [10001, AuthError],
  ])('errcode %i on add becomes %o carrying the errcode', async (errcode, type) => {
    const { lock, fake } = createRig(server);
    fake.failNext('keyboardPwd/add', errcode);
    const error = await failureOf(lock.addCode(add()));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code: errcode });
    expect(error.message).toContain(`errcode ${errcode}`);
    expect(error.message).toContain('keyboardPwd/add on lock 101');
  });

  it('-3003 (gateway busy) is transient with a short backoff hint, and the next attempt succeeds', async () => {
    const { lock, fake } = createRig(server);
    fake.failNext('keyboardPwd/add', -3003);
    const error = await failureOf(lock.addCode(add()));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: -3003, retryAfterMs: 10_000 });
    expect(fake.codes(101)).toEqual([]);
    const { lockCodeId } = await lock.addCode(add());
    expect(fake.codes(101).map((c) => String(c.keyboardPwdId))).toEqual([lockCodeId]);
  });

  it('-2012 (no gateway) asks for a long backoff', async () => {
    const { lock, fake } = createRig(server);
    fake.failNext('keyboardPwd/add', -2012);
    expect(await failureOf(lock.addCode(add()))).toMatchObject({ code: -2012, retryAfterMs: 300_000 });
  });

  it('a full lock (-3009) is a CapacityError (not retried at once) and says why and what to do', async () => {
    const { lock, fake } = createRig(server);
    for (let i = 0; i < 250; i++) fake.putCode(101, { keyboardPwd: String(100000 + i * 7) });
    const error = await failureOf(lock.addCode(add('583920')));
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: -3009 });
    expect(error.message).toMatch(/NO SPACE to store Customized Passcodes/);
    expect(error.message).toMatch(/delete unused or expired/);
  });

  it('the same digits twice on one lock is a DuplicateCodeError', async () => {
    const { lock } = createRig(server);
    await lock.addCode(add('583920'));
    await expect(lock.addCode({ ...add('583920'), name: 'brafa:B2' })).rejects.toBeInstanceOf(
      DuplicateCodeError,
    );
  });

  it('errcode 1 is retried once inside the client, then surfaced as transient', async () => {
    const { lock, fake, sleeps } = createRig(server);
    fake.failNext('keyboardPwd/add', 1);
    await expect(lock.addCode(add())).resolves.toMatchObject({ lockCodeId: expect.any(String) });
    expect(sleeps).toEqual([2000]);
    fake.failNext('keyboardPwd/add', 1, 2);
    const error = await failureOf(lock.addCode(add('720461')));
    expect(error).toBeInstanceOf(TransientError);
    expect(fake.requestsTo('keyboardPwd/add')).toHaveLength(4);
  });

  it('80000 (stale date) is resent once at once with a fresh date', async () => {
    const { lock, fake, sleeps } = createRig(server);
    fake.failNext('lock/listKeyboardPwd', 80000);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.requestsTo('lock/listKeyboardPwd')).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('network errors, 5xx and non-JSON bodies are transient; a lost write says its outcome is unknown', async () => {
    const { lock, fake } = createRig(server);
    fake.loseNextResponse('keyboardPwd/add', 'network');
    const lost = await failureOf(lock.addCode(add()));
    expect(lost).toBeInstanceOf(TransientError);
    expect(lost.message).toMatch(/outcome unknown/);
    fake.answerRawNext('keyboardPwd/delete', 500, 'oops');
    await expect(lock.removeCode({ lockId: '101', lockCodeId: '1' })).rejects.toBeInstanceOf(TransientError);
    fake.answerRawNext('lock/listKeyboardPwd', 200, '<html>maintenance</html>');
    await expect(lock.findCode({ lockId: '101', passcode: '583920' })).rejects.toBeInstanceOf(TransientError);
  });

  it('a timed-out add is transient; the retry meets -3007 and findCode shows the code with our name', async () => {
    const { lock, fake } = createRig(server, { timeouts: { gatewayMs: 50 } });
    fake.loseNextResponse('keyboardPwd/add', 'hang');
    const error = await failureOf(lock.addCode(add()));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/timed out after 50 ms.*outcome unknown/);
    expect(fake.codes(101)).toHaveLength(1);
    await expect(lock.addCode(add())).rejects.toBeInstanceOf(DuplicateCodeError);
    expect(await lock.findCode({ lockId: '101', passcode: '583920' })).toMatchObject({ name: 'brafa:B1' });
    expect(fake.codes(101)).toHaveLength(1);
  });

  it('never puts tokens, secrets or full passcodes into an error message', async () => {
    const { lock, fake } = createRig(server);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    const token = fake.requestsTo('lock/listKeyboardPwd')[0]?.fields.accessToken ?? 'missing';
    fake.failNext(
      'keyboardPwd/add',
      -3,
      1,
      `bad keyboardPwd=583920 accessToken=${token} clientSecret=client-secret-xyz`,
    );
    const error = await failureOf(lock.addCode(add('583920')));
    expect(error.message).not.toContain('583920');
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('client-secret-xyz');
    expect(error.message).toContain('*****0');
  });

  it('rejects bad input before calling TTLock', async () => {
    const { lock, fake } = createRig(server);
    await expect(lock.addCode(add('12ab56'))).rejects.toThrow(/passcode: must be 4-9 digits/);
    await expect(lock.addCode(add('1234567890'))).rejects.toThrow(/passcode/);
    await expect(lock.addCode(add('583920', 'L-1'))).rejects.toThrow(/lockId/);
    await expect(lock.addCode({ ...add(), validFrom: TO, validTo: FROM })).rejects.toThrow(/validTo/);
    expect(fake.requests).toEqual([]);
  });
});

describe('removeCode', () => {
  it('treats a code that is already gone (-2009) as success', async () => {
    const { lock, fake } = createRig(server);
    await expect(lock.removeCode({ lockId: '101', lockCodeId: '424242' })).resolves.toBeUndefined();
    expect(fake.errcodes.get(-2009)).toBe(1);
  });

  it('still fails for other errors (lock unknown)', async () => {
    const { lock } = createRig(server);
    await expect(lock.removeCode({ lockId: '999', lockCodeId: '1' })).rejects.toMatchObject({ code: -1003 });
  });
});

describe('quota', () => {
  it('30006 backs off: transient with a wait, and no call goes out until the wait is over', async () => {
    const { lock, fake, clock } = createRig(server);
    fake.failNext('lock/listKeyboardPwd', 30006);
    const error = await failureOf(lock.findCode({ lockId: '101', passcode: '583920' }));
    expect(error).toMatchObject({ code: 30006, retryAfterMs: 300_000 });
    const sent = fake.requests.length;
    await expect(lock.findCode({ lockId: '101', passcode: '583920' })).rejects.toMatchObject({ code: 30006 });
    expect(fake.requests.length).toBe(sent);
    clock.advance(300_000);
    await expect(lock.findCode({ lockId: '101', passcode: '583920' })).resolves.toBeUndefined();
  });

  it('30007 stops every call until the month rolls over in Beijing time, and says so', async () => {
    const { lock, fake, clock } = createRig(server);
    clock.set('2026-05-20T10:00:00Z');
    fake.failNext('keyboardPwd/add', 30007);
    const rollover = new Date('2026-05-31T16:00:00Z'); // 1 June 00:00 UTC+8
    const error = await failureOf(lock.addCode(add()));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 30007, retryAfterMs: rollover.getTime() - clock.now().getTime() });
    expect(error.message).toContain(`paused until the quota resets at ${rollover.toISOString()}`);
    clock.set('2026-05-31T15:59:00Z');
    const sent = fake.requests.length;
    const paused = await failureOf(lock.findCode({ lockId: '101', passcode: '583920' }));
    expect(paused).toMatchObject({ code: 30007, retryAfterMs: 60_000 });
    expect(paused.message).toMatch(/not sent/);
    expect(fake.requests.length).toBe(sent);
    clock.set(rollover);
    await expect(lock.addCode(add())).resolves.toMatchObject({ lockCodeId: expect.any(String) });
  });
});
