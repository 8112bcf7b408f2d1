import { describe, expect, it, vi } from 'vitest';
import { createRig, FROM, TO, useMswServer } from './support/setup.js';

const server = useMswServer();
const add = (lockId: string, passcode: string) => ({
  lockId,
  passcode,
  name: `brafa:${passcode}`,
  validFrom: FROM,
  validTo: TO,
});

describe('per-lock serialisation and bounded concurrency', () => {
  it('never runs two operations on one lock at once, while two locks run in parallel', async () => {
    const { lock, fake } = createRig(server);
    await lock.findCode({ lockId: '101', passcode: '583920' }); // log in first
    fake.hold();
    const work = Promise.all([
      lock.addCode(add('101', '583920')),
      lock.addCode(add('101', '720461')),
      lock.findCode({ lockId: '101', passcode: '583920' }),
      lock.addCode(add('102', '640918')),
    ]);
    // Lock 102 got in beside lock 101, but the second and third 101 operations wait their turn.
    await vi.waitFor(() => expect(fake.totalInFlight).toBe(2));
    expect(fake.inFlight.get('101')).toBe(1);
    expect(fake.inFlight.get('102')).toBe(1);
    fake.release();
    await work;
    expect(fake.maxInFlight.get('101')).toBe(1);
    expect(fake.maxInFlight.get('102')).toBe(1);
    expect(fake.maxTotalInFlight).toBe(2);
    // Arrival order is kept on a lock.
    expect(fake.requests.filter((r) => r.fields.lockId === '101').map((r) => r.path)).toEqual([
      'lock/listKeyboardPwd',
      'keyboardPwd/add',
      'keyboardPwd/add',
      'lock/listKeyboardPwd',
    ]);
  });

  it('a failing operation releases its lock for the next one', async () => {
    const { lock, fake } = createRig(server);
    fake.failNext('keyboardPwd/add', -3003);
    const [first, second] = await Promise.allSettled([
      lock.addCode(add('101', '583920')),
      lock.addCode(add('101', '720461')),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
  });

  it('bounds requests in flight across locks', async () => {
    const { lock, fake } = createRig(server, { maxConcurrency: 2 });
    for (const id of [103, 104, 105]) fake.addLock(id);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    fake.hold();
    const work = Promise.all(
      ['101', '102', '103', '104', '105'].map((id) => lock.addCode(add(id, '583920'))),
    );
    await vi.waitFor(() => expect(fake.totalInFlight).toBe(2));
    fake.release();
    await work;
    expect(fake.maxTotalInFlight).toBe(2);
    expect(fake.requestsTo('keyboardPwd/add')).toHaveLength(5);
  });

  it('a consumer may call the adapter for the same lock between pages of listCodes', async () => {
    const { lock, fake } = createRig(server, { pageSizes: { codes: 1 } });
    fake.putCode(101, { keyboardPwd: '583920' });
    fake.putCode(101, { keyboardPwd: '720461' });
    const seen: string[] = [];
    for await (const code of lock.listCodes('101')) {
      seen.push(code.passcode);
      await lock.findCode({ lockId: '101', passcode: code.passcode });
    }
    expect(seen.sort()).toEqual(['583920', '720461']);
  });
});
