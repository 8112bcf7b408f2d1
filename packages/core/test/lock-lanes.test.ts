import { describe, expect, it } from 'vitest';
import { LockLanes } from '../src/engine/lock-lanes.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LockLanes', () => {
  it('runs one operation per lock; waiting ones go most urgent first, equal ones in arrival order', async () => {
    const lanes = new LockLanes();
    const order: string[] = [];
    let running = 0;
    const op = (lockId: string, priority: number, name: string) =>
      lanes.run(lockId, priority, async (waited) => {
        running++;
        expect(running).toBe(1);
        order.push(`${name}${waited ? '' : '*'}`);
        await tick();
        running--;
      });
    const all = [
      op('L', 50, 'first'),
      op('L', 30, 'b'),
      op('L', 10, 'a'),
      op('L', 30, 'c'),
      op('L', 90, 'd'),
    ];
    expect(lanes.waitingFor('L')).toBe(4);
    await Promise.all(all);
    // `*`: ran without waiting.
    expect(order).toEqual(['first*', 'a', 'b', 'c', 'd']);
    expect(lanes.waitingFor('L')).toBe(0);
  });

  it('keeps locks independent, and frees the lane when an operation fails', async () => {
    const lanes = new LockLanes();
    const order: string[] = [];
    const failing = lanes.run('L1', 0, async () => {
      await tick();
      throw new Error('gateway offline');
    });
    const next = lanes.run('L1', 0, async () => order.push('L1 next'));
    const other = lanes.run('L2', 0, async () => order.push('L2'));
    await expect(failing).rejects.toThrow('gateway offline');
    await Promise.all([next, other]);
    expect(order).toEqual(['L2', 'L1 next']);
    // Free again: runs at once.
    expect(await lanes.run('L1', 0, async (waited) => waited)).toBe(false);
  });
});
