import { describe, expect, it } from 'vitest';
import { makeBooking, makeProperty } from '../src/testing/fixtures.js';
import { accessWindow, localDateOf, localInstant } from '../src/time/access-window.js';

const iso = (d: Date) => d.toISOString();

describe('accessWindow', () => {
  it('uses local check-in/out times in the property zone (Prague, winter = UTC+1, summer = UTC+2)', () => {
    const p = makeProperty({ timezone: 'Europe/Prague', checkInTime: '15:00', checkOutTime: '11:00' });
    const w = accessWindow(p, makeBooking({ arrivalDate: '2026-01-10', departureDate: '2026-01-12' }));
    expect(iso(w.validFrom)).toBe('2026-01-10T14:00:00.000Z');
    expect(iso(w.validTo)).toBe('2026-01-12T10:00:00.000Z');
  });

  it('follows the spring DST change in Europe/Prague (29 March 2026)', () => {
    const p = makeProperty({ timezone: 'Europe/Prague' });
    const w = accessWindow(p, makeBooking({ arrivalDate: '2026-03-28', departureDate: '2026-03-30' }));
    expect(iso(w.validFrom)).toBe('2026-03-28T14:00:00.000Z'); // still CET
    expect(iso(w.validTo)).toBe('2026-03-30T09:00:00.000Z'); // CEST
  });

  it('follows the autumn DST change in Europe/Prague (25 October 2026)', () => {
    const p = makeProperty({ timezone: 'Europe/Prague' });
    const w = accessWindow(p, makeBooking({ arrivalDate: '2026-10-24', departureDate: '2026-10-26' }));
    expect(iso(w.validFrom)).toBe('2026-10-24T13:00:00.000Z'); // CEST
    expect(iso(w.validTo)).toBe('2026-10-26T10:00:00.000Z'); // CET
  });

  it('follows the spring and autumn DST changes in America/New_York', () => {
    const p = makeProperty({ timezone: 'America/New_York', checkInTime: '16:00', checkOutTime: '10:00' });
    const spring = accessWindow(p, makeBooking({ arrivalDate: '2026-03-07', departureDate: '2026-03-09' }));
    expect(iso(spring.validFrom)).toBe('2026-03-07T21:00:00.000Z'); // EST, UTC-5
    expect(iso(spring.validTo)).toBe('2026-03-09T14:00:00.000Z'); // EDT, UTC-4
    const autumn = accessWindow(p, makeBooking({ arrivalDate: '2026-10-31', departureDate: '2026-11-02' }));
    expect(iso(autumn.validFrom)).toBe('2026-10-31T20:00:00.000Z'); // EDT
    expect(iso(autumn.validTo)).toBe('2026-11-02T15:00:00.000Z'); // EST
  });

  it('handles a half-hour offset without DST (Asia/Kolkata, UTC+5:30)', () => {
    const p = makeProperty({ timezone: 'Asia/Kolkata', checkInTime: '14:00', checkOutTime: '12:00' });
    const w = accessWindow(p, makeBooking({ arrivalDate: '2026-03-28', departureDate: '2026-03-30' }));
    expect(iso(w.validFrom)).toBe('2026-03-28T08:30:00.000Z');
    expect(iso(w.validTo)).toBe('2026-03-30T06:30:00.000Z');
  });

  it('moves a check-in inside the spring-forward gap forward, never earlier', () => {
    // 02:30 does not exist in Prague on 29 March 2026 (02:00 → 03:00).
    expect(iso(localInstant('2026-03-29', '02:30', 'Europe/Prague'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('prefers PMS instants over dates, applies buffers and rounds outward to the minute', () => {
    const p = makeProperty({ accessBuffers: { beforeCheckInMinutes: 30, afterCheckOutMinutes: 15 } });
    const w = accessWindow(
      p,
      makeBooking({
        checkInAt: new Date('2026-05-01T12:10:45Z'),
        checkOutAt: new Date('2026-05-03T08:59:10Z'),
      }),
    );
    expect(iso(w.validFrom)).toBe('2026-05-01T11:40:00.000Z');
    expect(iso(w.validTo)).toBe('2026-05-03T09:15:00.000Z');
  });

  it('applies buffers to date-based windows', () => {
    const p = makeProperty({
      timezone: 'UTC',
      accessBuffers: { beforeCheckInMinutes: 60, afterCheckOutMinutes: 0 },
    });
    const w = accessWindow(p, makeBooking({ arrivalDate: '2026-05-01', departureDate: '2026-05-02' }));
    expect(iso(w.validFrom)).toBe('2026-05-01T14:00:00.000Z');
    expect(iso(w.validTo)).toBe('2026-05-02T11:00:00.000Z');
  });
});

describe('localDateOf', () => {
  it('gives the date in the zone, the same on every call for the same instant and zone', () => {
    const lateUtc = new Date('2026-03-28T23:30:00Z');
    for (let i = 0; i < 3; i++) {
      expect(localDateOf(lateUtc, 'Europe/Prague')).toBe('2026-03-29');
      expect(localDateOf(lateUtc, 'America/New_York')).toBe('2026-03-28');
      expect(localDateOf(lateUtc, 'UTC')).toBe('2026-03-28');
    }
  });

  it('answers correctly after more distinct instants than it remembers', () => {
    const start = Date.UTC(2026, 0, 1, 22, 30);
    for (let day = 0; day < 5000; day++) {
      const instant = new Date(start + day * 86_400_000);
      const expected = instant.toISOString().slice(0, 10);
      expect(localDateOf(instant, 'UTC')).toBe(expected);
    }
    expect(localDateOf(new Date('2026-07-01T22:30:00Z'), 'Europe/Prague')).toBe('2026-07-02');
  });

  it('gives an empty string for an unknown zone', () => {
    expect(localDateOf(new Date(0), 'Not/AZone')).toBe('');
    expect(localDateOf(new Date(0), 'Not/AZone')).toBe('');
  });
});
