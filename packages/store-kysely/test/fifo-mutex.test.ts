import { describe, expect, it } from 'vitest';
import { FifoMutex } from '../src/dialect/fifo-mutex.js';

describe('FifoMutex', () => {
  it('hands the lock to waiters one at a time, in arrival order', async () => {
    const mutex = new FifoMutex();
    const order: string[] = [];
    let holders = 0;
    const user = async (name: string) => {
      await mutex.lock();
      holders++;
      expect(holders).toBe(1);
      order.push(name);
      await new Promise((resolve) => setImmediate(resolve));
      holders--;
      mutex.unlock();
    };
    await Promise.all(['a', 'b', 'c', 'd'].map(user));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('wakes only the next waiter on a release, not every waiter', async () => {
    const mutex = new FifoMutex();
    await mutex.lock();
    const acquired: number[] = [];
    const waiters = Array.from({ length: 100 }, (_, i) => mutex.lock().then(() => acquired.push(i)));
    mutex.unlock();
    // Several turns of the microtask queue: only waiter 0 may have the lock by now.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(acquired).toEqual([0]);
    for (let i = 0; i < 100; i++) {
      mutex.unlock();
      await Promise.resolve();
    }
    await Promise.all(waiters);
    expect(acquired).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Free again: the next lock is immediate.
    await mutex.lock();
  });
});
