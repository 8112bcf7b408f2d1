import { describe, expect, it } from 'vitest';
import { LockLanes } from '../src/engine/lock-lanes.js';
import { Permits, parkingFor } from '../src/engine/permits.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Permits', () => {
  it('hands a released permit to a parked job whose turn came before it frees one for claims', async () => {
    let freed = 0;
    const permits = new Permits(2, () => freed++);
    permits.take();
    permits.take();
    expect(permits.free).toBe(0);
    // A job parks (its permit goes back), its turn comes while the other still works.
    permits.release();
    expect(freed).toBe(1);
    expect(permits.free).toBe(1);
    permits.take(); // a new claim takes the free permit
    let back = false;
    const retaking = permits.retake().then(() => {
      back = true;
    });
    await tick();
    expect(back).toBe(false);
    // Nothing is free for claims while a parked job waits for a permit.
    expect(permits.free).toBe(0);
    permits.release();
    await retaking;
    expect(back).toBe(true);
    expect(freed).toBe(1);
    expect(permits.free).toBe(0);
    permits.release();
    permits.release();
    expect(permits.free).toBe(2);
    expect(freed).toBe(3);
  });

  it('takes a permit back at once when one is free', async () => {
    const permits = new Permits(1, () => {});
    await permits.retake();
    expect(permits.free).toBe(0);
  });
});

describe('LockLanes with parking', () => {
  it('parks only a job that has to wait, and gives it a permit before it operates', async () => {
    const lanes = new LockLanes();
    const permits = new Permits(2, () => {});
    const parking = parkingFor(permits);
    const seen: Array<{ name: string; free: number }> = [];
    const job = (name: string) => {
      permits.take();
      return lanes
        .run(
          'L',
          0,
          async () => {
            seen.push({ name, free: permits.free });
            await tick();
          },
          parking,
        )
        .finally(() => permits.release());
    };
    const first = job('first');
    const second = job('second');
    // The second waits for the lock without a permit: one is free for another door.
    expect(permits.free).toBe(1);
    await Promise.all([first, second]);
    expect(seen).toEqual([
      { name: 'first', free: 1 },
      { name: 'second', free: 1 },
    ]);
    expect(permits.free).toBe(2);
  });
});
