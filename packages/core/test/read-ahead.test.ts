import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/engine/read-ahead.js';

describe('readAhead', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  async function* pages(log: string[], count: number, failAt?: number): AsyncGenerator<number> {
    try {
      for (let n = 1; n <= count; n++) {
        log.push(`fetch ${n}`);
        await tick();
        if (n === failAt) throw new Error(`page ${n}: the PMS answered 500`);
        yield n;
      }
    } finally {
      log.push('closed');
    }
  }

  it('requests the next page while the caller still works on the current one', async () => {
    const log: string[] = [];
    for await (const n of readAhead(pages(log, 3))) {
      log.push(`use ${n}`);
      await tick();
      await tick();
      log.push(`used ${n}`);
    }
    expect(log).toEqual([
      'fetch 1',
      'fetch 2',
      'use 1',
      'used 1',
      'fetch 3',
      'use 2',
      'used 2',
      // The walk's end is found ahead too.
      'closed',
      'use 3',
      'used 3',
    ]);
  });

  it('makes no extra request on a finished walk and at most one on an abandoned one, which it closes', async () => {
    const log: string[] = [];
    for await (const n of readAhead(pages(log, 5))) if (n === 2) break;
    expect(log).toEqual(['fetch 1', 'fetch 2', 'fetch 3', 'closed']);
  });

  it('reports a failed page ahead when that page is asked for, never as unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const log: string[] = [];
      const seen: number[] = [];
      const walk = async () => {
        for await (const n of readAhead(pages(log, 3, 2))) {
          seen.push(n);
          // Long enough for the request ahead to fail while this page is in use.
          for (let i = 0; i < 5; i++) await tick();
        }
      };
      await expect(walk()).rejects.toThrow('page 2: the PMS answered 500');
      expect(seen).toEqual([1]);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
