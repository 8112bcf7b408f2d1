import type { Logger, LogRecord } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { beijingMonthKey, CallBudget, nextBeijingMonthStart } from '../src/index.js';
import { createRig, useMswServer } from './support/setup.js';

const server = useMswServer();

function recordingLogger(): Logger & { records: Array<Pick<LogRecord, 'level' | 'message' | 'fields'>> } {
  const records: Array<Pick<LogRecord, 'level' | 'message' | 'fields'>> = [];
  const at =
    (level: LogRecord['level']) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      void records.push({ level, message, fields });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('monthly call counter', () => {
  it('counts every API call and warns once near the plan limit and once at it', async () => {
    const logger = recordingLogger();
    const budget = new CallBudget({ monthlyLimit: 5, warnRatio: 0.6 });
    const { lock, fake } = createRig(server, { budget, logger });
    for (let i = 0; i < 6; i++) await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.requests).toHaveLength(7); // one login + six reads
    expect(lock.client.usage()).toEqual({ month: '2026-05', calls: 7, limit: 5 });
    const warnings = logger.records.filter((r) => r.level === 'warn').map((r) => [r.message, r.fields.calls]);
    expect(warnings).toEqual([
      ['TTLock monthly API calls are nearing the plan limit', 3],
      ['TTLock monthly API call limit reached: expect errcode 30007 until the 1st (Beijing time)', 5],
    ]);
  });

  it('starts a new count when the month turns in Beijing, hours before it turns in UTC', async () => {
    const logger = recordingLogger();
    const { lock, clock } = createRig(server, {
      budget: new CallBudget({ initial: { month: '2026-05', calls: 41 } }),
      logger,
    });
    clock.set('2026-05-31T15:59:00Z');
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(lock.client.usage().calls).toBe(43);
    clock.set('2026-05-31T16:00:00Z');
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(lock.client.usage()).toEqual({ month: '2026-06', calls: 1, limit: 30_000 });
  });

  it('computes Beijing months and rollovers', () => {
    expect(beijingMonthKey(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12');
    expect(beijingMonthKey(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01');
    expect(nextBeijingMonthStart(new Date('2026-12-15T00:00:00Z')).toISOString()).toBe(
      '2026-12-31T16:00:00.000Z',
    );
    expect(nextBeijingMonthStart(new Date('2026-12-31T16:00:00Z')).toISOString()).toBe(
      '2027-01-31T16:00:00.000Z',
    );
  });
});
