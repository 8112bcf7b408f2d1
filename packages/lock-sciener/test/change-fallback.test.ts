import { PermanentError } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createRig, FROM, TO, useMswServer } from './support/setup.js';

const server = useMswServer();
const LATER = new Date(TO.getTime() + 86_400_000);

describe('changeCode when TTLock refuses (-3008)', () => {
  it('deletes and re-adds the code with the same name, and reports the new id', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    fake.refuseChanges(101, Number(lockCodeId));
    const outcome = await lock.changeCodeDetailed({
      lockId: '101',
      lockCodeId,
      validFrom: FROM,
      validTo: LATER,
    });
    expect(outcome.replaced).toBe(true);
    expect(outcome.lockCodeId).not.toBe(lockCodeId);
    expect(fake.codes(101)).toEqual([
      expect.objectContaining({
        keyboardPwdId: Number(outcome.lockCodeId),
        keyboardPwd: '583920',
        keyboardPwdName: 'brafa:B1',
        startDate: FROM.getTime(),
        endDate: LATER.getTime(),
        onLock: true,
      }),
    ]);
    expect(fake.requests.map((r) => r.path).slice(-4)).toEqual([
      'keyboardPwd/change',
      'lock/listKeyboardPwd',
      'keyboardPwd/delete',
      'keyboardPwd/add',
    ]);
  });

  it('keeps serving the old id: a later change and remove reach the new code', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    fake.refuseChanges(101, Number(lockCodeId));
    await lock.changeCode({ lockId: '101', lockCodeId, validFrom: FROM, validTo: LATER });
    await lock.changeCode({ lockId: '101', lockCodeId, validFrom: FROM, validTo: TO, passcode: '720461' });
    expect(fake.codes(101)).toEqual([
      expect.objectContaining({ keyboardPwd: '720461', endDate: TO.getTime() }),
    ]);
    await lock.removeCode({ lockId: '101', lockCodeId });
    expect(fake.codes(101)).toEqual([]);
  });

  it('a re-add that fails is retried as an add on the next changeCode (the code is not lost)', async () => {
    const { lock, fake } = createRig(server);
    const { lockCodeId } = await lock.addCode({
      lockId: '101',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: FROM,
      validTo: TO,
    });
    fake.refuseChanges(101, Number(lockCodeId));
    fake.failNext('keyboardPwd/add', -3003);
    await expect(
      lock.changeCode({ lockId: '101', lockCodeId, validFrom: FROM, validTo: LATER }),
    ).rejects.toMatchObject({ code: -3003 });
    expect(fake.codes(101)).toEqual([]);
    const outcome = await lock.changeCodeDetailed({
      lockId: '101',
      lockCodeId,
      validFrom: FROM,
      validTo: LATER,
    });
    expect(fake.codes(101)).toEqual([
      expect.objectContaining({
        keyboardPwdId: Number(outcome.lockCodeId),
        keyboardPwd: '583920',
        keyboardPwdName: 'brafa:B1',
      }),
    ]);
  });

  it('changing a code that no longer exists is a permanent error with -2009', async () => {
    const { lock } = createRig(server);
    const error = await lock
      .changeCode({ lockId: '101', lockCodeId: '777', validFrom: FROM, validTo: LATER })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: -2009 });
  });
});
