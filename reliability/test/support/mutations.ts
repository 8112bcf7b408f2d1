import { addDays, localDateOf } from '@brafa/core';
import type { Prng, Scenario, WorldReservation } from '@brafa/sandbox';

export interface MutationCounts {
  changeDates: number;
  moveRoom: number;
  cancel: number;
  unassign?: number;
  create?: number;
}

export interface MutationLog {
  changed: string[];
  moved: string[];
  cancelled: string[];
  unassigned: string[];
  created: string[];
}

const active = (r: WorldReservation) => r.state === 'Confirmed' && r.unitName !== null;

function free(
  scenario: Scenario,
  r: WorldReservation,
  unit: string,
  arrival: string,
  departure: string,
): boolean {
  return !scenario
    .reservations(r.propertyId)
    .some(
      (x) =>
        x.id !== r.id &&
        x.unitName === unit &&
        x.state !== 'Canceled' &&
        x.arrival < departure &&
        arrival < x.departure,
    );
}

/**
 * What receptionists do between two runs: change dates, move rooms, cancel, take a room
 * away, take new bookings — drawn from a seeded PRNG so a failing run can be replayed.
 * New dates stay inside the next four weeks (the CLI syncs 30 days ahead) and never
 * double-book a unit, as a real PMS would refuse that.
 */
export function mutate(scenario: Scenario, prng: Prng, counts: MutationCounts, now: Date): MutationLog {
  const log: MutationLog = { changed: [], moved: [], cancelled: [], unassigned: [], created: [] };
  for (const property of scenario.world.properties) {
    const today = localDateOf(now, property.timezone);
    const units = scenario.units(property.id).map((u) => u.unitName);
    const pickActive = () => {
      const list = scenario.reservations(property.id).filter(active);
      return list.length ? prng.pick(list) : undefined;
    };
    for (let i = 0; i < counts.changeDates; i++) {
      const r = pickActive();
      if (!r) break;
      const arrival = addDays(today, prng.int(1, 24));
      const departure = addDays(arrival, prng.int(1, 4));
      if (!free(scenario, r, r.unitName!, arrival, departure)) continue;
      scenario.changeDates(r.id, { arrival, departure });
      log.changed.push(r.id);
    }
    for (let i = 0; i < counts.moveRoom; i++) {
      const r = pickActive();
      if (!r) break;
      const unit = prng.pick(units);
      if (unit === r.unitName || !free(scenario, r, unit, r.arrival, r.departure)) continue;
      scenario.moveRoom(r.id, unit);
      log.moved.push(r.id);
    }
    for (let i = 0; i < counts.cancel; i++) {
      const r = pickActive();
      if (!r) break;
      scenario.cancel(r.id);
      log.cancelled.push(r.id);
    }
    for (let i = 0; i < (counts.unassign ?? 0); i++) {
      const r = pickActive();
      if (!r) break;
      scenario.moveRoom(r.id, null);
      log.unassigned.push(r.id);
    }
    if (counts.create) {
      const created = scenario.generateReservations(property.id, {
        count: counts.create,
        withinDays: 24,
        startOffsetDays: 1,
        maxNights: 4,
        cancelledRatio: 0,
      });
      log.created.push(...created.map((r) => r.id));
    }
  }
  return log;
}
