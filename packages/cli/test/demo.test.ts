import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brafa, tempDir } from './support.js';

describe('brafa demo', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('runs the whole flow against the in-process sandbox and verifies locks and MEWS agree', async () => {
    const run = await brafa(['demo', '--db', join(tmp.dir, 'demo.db'), '--reservations', '80', '--json']);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(true);
    expect(run.code).toBe(0);
    expect(out.check.mismatches).toBe(0);
    expect(out.check.tokens).toBeGreaterThan(20);
    expect(out.idle.lockCalls).toBe(0);
    expect(out.idle.pmsWrites).toBe(0);
    expect(out.second.lockCalls).toBeGreaterThan(0);
    expect(out.first.status.bookingIssues.length).toBeGreaterThan(0);
  }, 120_000);
});
