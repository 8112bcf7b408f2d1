import { ManualClock } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { ScienerLock, type ScienerTokens } from '../src/index.js';
import { FakeSciener } from './support/fake-sciener.js';
import { useMswServer } from './support/setup.js';

const server = useMswServer();

describe('README example', () => {
  it('runs as written against the fake, and a restart with saved tokens does not log in again', async () => {
    const clock = new ManualClock('2026-05-01T08:00:00Z');
    const fake = new FakeSciener({ clock });
    fake.addLock(1234567, 'Room 101');
    server.use(...fake.handlers());
    let saved: ScienerTokens | undefined;
    const loadTokens = async () => saved;
    const saveTokens = (tokens: ScienerTokens) => {
      saved = tokens;
    };
    const env = {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      username: fake.username,
      password: fake.password,
    };

    const lock = new ScienerLock({
      ...env,
      host: fake.baseUrl,
      clock,
      tokens: await loadTokens(),
      onTokens: saveTokens,
    });
    const locks = await lock.listLocks();
    expect(locks).toEqual([{ lockId: '1234567', name: 'Room 101', hasGateway: true, batteryPercent: 87 }]);
    const { lockCodeId } = await lock.addCode({
      lockId: '1234567',
      passcode: '583920',
      name: 'brafa:B1',
      validFrom: new Date('2026-06-01T13:00:00Z'),
      validTo: new Date('2026-06-04T09:00:00Z'),
    });
    await lock.changeCode({
      lockId: '1234567',
      lockCodeId,
      validFrom: new Date('2026-06-01T13:00:00Z'),
      validTo: new Date('2026-06-05T09:00:00Z'),
    });
    expect(fake.codes(1234567)[0]?.endDate).toBe(Date.parse('2026-06-05T09:00:00Z'));
    await lock.removeCode({ lockId: '1234567', lockCodeId });
    expect(fake.codes(1234567)).toEqual([]);
    expect(lock.client.usage()).toEqual({ month: '2026-05', calls: 5, limit: 30_000 });

    const restarted = new ScienerLock({
      ...env,
      host: fake.baseUrl,
      clock,
      tokens: await loadTokens(),
      onTokens: saveTokens,
    });
    await restarted.listLocks();
    expect(fake.oauth).toEqual({ logins: 1, refreshes: 0 });
  });
});
