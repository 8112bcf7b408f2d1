import { describe, expect, it } from 'vitest';
import { groupedBy } from '../src/util/index-by.js';

const byLock = (codes: Array<{ lockId: number; id: number }>) =>
  [...groupedBy(codes, 'lockId', (c) => c.lockId).entries()].map(([k, v]) => [k, v.map((c) => c.id)]);

describe('groupedBy', () => {
  it('follows pushes, a splice-then-push of the same length, and a shrink', () => {
    const codes = [
      { lockId: 1, id: 1 },
      { lockId: 2, id: 2 },
    ];
    expect(byLock(codes)).toEqual([
      [1, [1]],
      [2, [2]],
    ]);
    codes.push({ lockId: 1, id: 3 });
    expect(byLock(codes)).toEqual([
      [1, [1, 3]],
      [2, [2]],
    ]);
    // What a test does to the world: take a code out, put another in (same length).
    codes.splice(0, 1);
    codes.push({ lockId: 2, id: 4 });
    expect(byLock(codes)).toEqual([
      [2, [2, 4]],
      [1, [3]],
    ]);
    codes.pop();
    expect(byLock(codes)).toEqual([
      [2, [2]],
      [1, [3]],
    ]);
  });
});
