import { ManualClock } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createSandbox, createScenario } from '../src/index.js';

const demo = (seed: number) =>
  createScenario({
    seed,
    clock: new ManualClock('2026-03-01T10:00:00Z'),
    properties: [
      {
        id: 'P1',
        provider: 'mews',
        units: 40,
        reservations: { count: 200, withinDays: 30, cancelledRatio: 0.1 },
        entranceLock: true,
      },
    ],
  });

describe('scenario builder', () => {
  it('is reproducible from its seed', () => {
    const a = createSandbox({ scenario: demo(1) }).state();
    const b = createSandbox({ scenario: demo(1) }).state();
    const c = createSandbox({ scenario: demo(2) }).state();
    expect(a).toEqual(b);
    expect(c.reservations).not.toEqual(a.reservations);
    expect(createScenario({ seed: 1 }).credentials()).toEqual(createScenario({ seed: 1 }).credentials());
  });

  it('never double-books a unit with live reservations and gives each unit a lock plus an entrance lock', () => {
    const s = demo(3);
    const live = s.reservations('P1').filter((r) => r.state !== 'Canceled' && r.unitName !== null);
    for (const a of live) {
      for (const b of live) {
        if (a === b || a.unitName !== b.unitName) continue;
        expect(a.arrival < b.departure && b.arrival < a.departure, `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
    expect(s.reservations('P1').length).toBeGreaterThan(150);
    expect(s.reservations('P1').some((r) => r.state === 'Canceled')).toBe(true);
    expect(s.locks('P1')).toHaveLength(41);
    expect(s.units('P1').every((u) => u.lockId !== null)).toBe(true);
  });

  it('derives MEWS scheduled instants from local dates and check-in/out times (DST-aware)', () => {
    const s = createScenario({
      properties: [{ id: 'P1', provider: 'mews', units: ['A'], timezone: 'Europe/Prague' }],
    });
    const r = s.addReservation('P1', { unit: 'A', arrival: '2026-03-28', departure: '2026-03-30' });
    expect(r.startUtc.toISOString()).toBe('2026-03-28T14:00:00.000Z'); // CET, UTC+1
    expect(r.endUtc.toISOString()).toBe('2026-03-30T09:00:00.000Z'); // CEST, UTC+2
  });

  it('mutates: date change, room move and cancel stamp UpdatedUtc', () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const s = createScenario({ clock, properties: [{ id: 'P1', provider: 'mews', units: ['A', 'B'] }] });
    const r = s.addReservation('P1', {
      unit: 'A',
      arrival: '2026-03-02',
      departure: '2026-03-04',
      guest: 'Ada Lovelace',
    });
    clock.advance(1000);
    s.changeDates(r.id, { arrival: '2026-03-03', departure: '2026-03-06' });
    expect(r.updatedUtc.toISOString()).toBe('2026-03-01T10:00:01.000Z');
    s.moveRoom(r.id, 'B');
    expect(r.unitName).toBe('B');
    s.cancel(r.id);
    expect(r.state).toBe('Canceled');
    expect(r.cancelledUtc).not.toBeNull();
    expect(() => s.moveRoom(r.id, 'Z')).toThrow('unit Z does not exist');
  });
});
