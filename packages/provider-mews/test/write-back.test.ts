import { PermanentError, TransientError, ValidationError, type WriteBackItem } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import type { MewsFake } from './support/mews-fake.js';
import { newFake, providerFor, type Seeded, seed, useMsw } from './support/setup.js';

const server = useMsw();
const GET = 'resourceAccessTokens/getAll';
const ADD = 'resourceAccessTokens/add';
const UPDATE = 'resourceAccessTokens/update';
const DELETE = 'resourceAccessTokens/delete';

const FROM = new Date('2026-05-01T13:00:00Z');
const TO = new Date('2026-05-03T09:00:00Z');

function setup(options: { notes?: boolean } = {}) {
  const fake = newFake();
  server.use(...fake.handlers());
  const s = seed(fake);
  const provider = providerFor(fake, {
    serviceIds: [s.serviceId],
    useServiceOrderNotes: options.notes ?? false,
  });
  return { fake, s, provider };
}

function upsert(
  bookingId: string,
  resourceId: string | null,
  overrides: Partial<WriteBackItem> = {},
): WriteBackItem {
  return {
    propertyId: 'P1',
    bookingId,
    action: 'upsert',
    passcode: '583920',
    validFrom: FROM,
    validTo: TO,
    resourceId,
    roomId: 'DBL',
    unitName: '101',
    externalIds: { reservationId: bookingId, serviceOrderId: bookingId },
    ref: null,
    ...overrides,
  };
}

const remove = (bookingId: string, resourceId: string | null, ref: string | null = null): WriteBackItem =>
  upsert(bookingId, resourceId, { action: 'delete', passcode: null, validFrom: null, validTo: null, ref });

const opCalls = (fake: MewsFake) => fake.requests.map((r) => r.operation);

describe('writeBack: resource access tokens', () => {
  it('adds one PinCode token per service order + resource with the lock window in UTC', async () => {
    const { fake, s, provider } = setup();
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    const [token] = fake.activeTokens(s.reservations.confirmed);
    expect(result).toEqual({ bookingId: s.reservations.confirmed, ok: true, ref: token!.Id });
    expect(opCalls(fake)).toEqual([GET, ADD]);
    expect(fake.calls(GET)[0]!.body).toMatchObject({
      ServiceOrderIds: [s.reservations.confirmed],
      ActivityStates: ['Active'],
    });
    expect(fake.calls(ADD)[0]!.body.ResourceAccessTokenParameters).toEqual([
      {
        ServiceOrderId: s.reservations.confirmed,
        ResourceId: s.rooms.r101,
        Type: 'PinCode',
        Value: '583920',
        ValidityStartUtc: '2026-05-01T13:00:00Z',
        ValidityEndUtc: '2026-05-03T09:00:00Z',
        Permissions: {
          Bed: { Value: false },
          Room: { Value: true },
          Floor: { Value: false },
          Building: { Value: false },
        },
      },
    ]);
  });

  it('finds and updates an existing token instead of adding a second one', async () => {
    const { fake, s, provider } = setup();
    // A token from an earlier run whose response was lost: we do not know its id.
    const existing = fake.addToken({
      ServiceOrderId: s.reservations.confirmed,
      ResourceId: s.rooms.r101,
      Value: '111111',
    });
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(result).toEqual({ bookingId: s.reservations.confirmed, ok: true, ref: existing });
    expect(opCalls(fake)).toEqual([GET, UPDATE]);
    expect(fake.calls(UPDATE)[0]!.body.ResourceAccessTokenUpdates).toEqual([
      {
        ResourceAccessTokenId: existing,
        Value: { Value: '583920' },
        ValidityStartUtc: { Value: '2026-05-01T13:00:00Z' },
        ValidityEndUtc: { Value: '2026-05-03T09:00:00Z' },
        Permissions: {
          Bed: { Value: false },
          Room: { Value: true },
          Floor: { Value: false },
          Building: { Value: false },
        },
      },
    ]);
    expect(fake.activeTokens(s.reservations.confirmed)).toEqual([
      expect.objectContaining({ Id: existing, Value: '583920', ValidityEndUtc: '2026-05-03T09:00:00Z' }),
    ]);
  });

  it('writes nothing when MEWS already holds the same PIN and window', async () => {
    const { fake, s, provider } = setup();
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    fake.requests.length = 0;
    const [again] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(again!.ok).toBe(true);
    expect(opCalls(fake)).toEqual([GET]);
  });

  it('compares validity at MEWS precision: milliseconds never cause a rewrite', async () => {
    const { fake, s, provider } = setup();
    const precise = { validFrom: new Date(FROM.getTime() + 250), validTo: new Date(TO.getTime() + 999) };
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101, precise)]);
    fake.requests.length = 0;
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101, precise)]);
    expect(opCalls(fake)).toEqual([GET]);
  });

  it('leaves other integrations’ tokens alone (RFID, other rooms)', async () => {
    const { fake, s, provider } = setup();
    const rfid = fake.addToken({
      ServiceOrderId: s.reservations.confirmed,
      ResourceId: s.rooms.r101,
      Type: 'RfidTag',
    });
    const otherRoom = fake.addToken({ ServiceOrderId: s.reservations.confirmed, ResourceId: s.rooms.r103 });
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(fake.tokens.get(rfid)).toMatchObject({ IsActive: true, Value: '000000' });
    expect(fake.tokens.get(otherRoom)).toMatchObject({ IsActive: true, Value: '000000' });
    expect(fake.activeTokens(s.reservations.confirmed)).toHaveLength(3);
  });

  it('a room move deletes our old token and adds one on the new resource', async () => {
    const { fake, s, provider } = setup();
    const [first] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    const ref = first!.ok ? first!.ref : null;
    fake.requests.length = 0;
    const [moved] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r102, { ref })]);
    expect(opCalls(fake)).toEqual([GET, DELETE, ADD]);
    expect(fake.calls(DELETE)[0]!.body.Ids).toEqual([ref]);
    const active = fake.activeTokens(s.reservations.confirmed);
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ ResourceId: s.rooms.r102, Value: '583920' });
    expect(moved).toEqual({ bookingId: s.reservations.confirmed, ok: true, ref: active[0]!.Id });
  });

  it('deletes the token on `delete`, and a repeated delete is a no-op success', async () => {
    const { fake, s, provider } = setup();
    const [first] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    const ref = first!.ok ? first!.ref : null;
    const [removed] = await provider.writeBack!([remove(s.reservations.confirmed, s.rooms.r101, ref)]);
    expect(removed).toEqual({ bookingId: s.reservations.confirmed, ok: true, ref: null });
    expect(fake.activeTokens(s.reservations.confirmed)).toHaveLength(0);
    fake.requests.length = 0;
    const [again] = await provider.writeBack!([remove(s.reservations.confirmed, s.rooms.r101, ref)]);
    expect(again!.ok).toBe(true);
    expect(opCalls(fake)).toEqual([GET]);
  });

  it('batches: one getAll per 1,000 service orders and adds of at most 1,000', async () => {
    const { fake, s, provider } = setup();
    const ids = Array.from({ length: 1500 }, () => fake.addReservation({ ServiceId: s.serviceId }));
    const results = await provider.writeBack!(ids.map((id) => upsert(id, s.rooms.r101)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.calls(GET).map((c) => (c.body.ServiceOrderIds as string[]).length)).toEqual([1000, 500]);
    expect(fake.calls(ADD).map((c) => (c.body.ResourceAccessTokenParameters as unknown[]).length)).toEqual([
      1000, 500,
    ]);
    expect(fake.activeTokens()).toHaveLength(1500);
    const refs = new Set(results.map((r) => (r.ok ? r.ref : null)));
    expect(refs.size).toBe(1500);
  });

  it('a failing chunk fails only its own items, with the typed error', async () => {
    const { fake, s, provider } = setup();
    const ids = Array.from({ length: 1200 }, () => fake.addReservation({ ServiceId: s.serviceId }));
    fake.failNext(ADD, { status: 403, body: { Message: 'Reservation is canceled.', RequestId: 'r-403' } });
    const results = await provider.writeBack!(ids.map((id) => upsert(id, s.rooms.r101)));
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1000);
    for (const f of failed) {
      expect(f.ok ? null : f.error).toBeInstanceOf(PermanentError);
      expect(f.ok ? '' : f.error.message).toContain('Reservation is canceled.');
    }
    expect(results.filter((r) => r.ok)).toHaveLength(200);
  });

  it('a failed read fails the chunk without writing (never add blindly)', async () => {
    const { fake, s, provider } = setup();
    fake.failNext(GET, { status: 503 }, 10);
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(result!.ok).toBe(false);
    expect(result!.ok ? null : result!.error).toBeInstanceOf(TransientError);
    expect(fake.calls(ADD)).toHaveLength(0);
  });

  it('after an add whose response was lost, the retry adopts the token instead of adding another', async () => {
    const { fake, s, provider } = setup();
    fake.failNext(ADD, { status: 504, afterApply: true });
    const [lost] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(lost!.ok).toBe(false);
    expect(fake.calls(ADD)).toHaveLength(1);
    const [retry] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(retry!.ok).toBe(true);
    expect(fake.activeTokens(s.reservations.confirmed)).toHaveLength(1);
  });

  it('an add whose reply was lost, then a room move: the stray token is deleted, one PIN remains', async () => {
    // Found by the chaos suite: the retry looked for our token on the *new* room only, so the
    // token the lost add had created on the old room stayed active beside the new one.
    const { fake, s, provider } = setup();
    fake.failNext(ADD, { status: 504, afterApply: true });
    const [lost] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(lost!.ok).toBe(false);
    const stray = fake.activeTokens(s.reservations.confirmed)[0]!;
    // Another system's PIN on the same stay (other digits) is not ours and stays.
    fake.requests.length = 0;
    const [moved] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r102)]);
    expect(moved!.ok).toBe(true);
    expect(opCalls(fake)).toEqual([GET, DELETE, ADD]);
    expect(fake.calls(DELETE)[0]!.body.Ids).toEqual([stray.Id]);
    const active = fake.activeTokens(s.reservations.confirmed);
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ ResourceId: s.rooms.r102, Value: '583920' });
  });

  it('an add whose reply was lost, then the stay lost its room: the delete finds the token by its digits', async () => {
    // Found by the chaos suite: with no ref and no room left, the delete looked for our token
    // on no resource and left the lost add's token active in MEWS.
    const { fake, s, provider } = setup();
    fake.failNext(ADD, { status: 504, afterApply: true });
    const [lost] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(lost!.ok).toBe(false);
    const stray = fake.activeTokens(s.reservations.confirmed)[0]!;
    // Another system's PIN on the same stay (other digits, another room) is not ours and stays.
    const foreign = fake.addToken({
      ServiceOrderId: s.reservations.confirmed,
      ResourceId: s.rooms.r102,
      Type: 'PinCode',
      Value: '111333',
    });
    fake.requests.length = 0;
    const [removed] = await provider.writeBack!([
      { ...remove(s.reservations.confirmed, null), passcode: '583920', unitName: null, roomId: null },
    ]);
    expect(removed).toEqual({ bookingId: s.reservations.confirmed, ok: true, ref: null });
    expect(opCalls(fake)).toEqual([GET, DELETE]);
    expect(fake.calls(DELETE)[0]!.body.Ids).toEqual([stray.Id]);
    expect(fake.activeTokens(s.reservations.confirmed).map((t) => t.Id)).toEqual([foreign]);
  });

  it('leaves alone a PIN of the same stay that is not ours (other digits, other room)', async () => {
    const { fake, s, provider } = setup();
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101, { passcode: '111333' })]);
    const foreign = fake.activeTokens(s.reservations.confirmed)[0]!;
    const [ours] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r102)]);
    expect(ours!.ok).toBe(true);
    expect(fake.calls(DELETE)).toHaveLength(0);
    expect(fake.activeTokens(s.reservations.confirmed).map((t) => t.Id)).toContain(foreign.Id);
  });

  it('rejects an upsert without passcode or with a backwards window, per item', async () => {
    const { fake, s, provider } = setup();
    const results = await provider.writeBack!([
      upsert(s.reservations.confirmed, s.rooms.r101, { passcode: null }),
      upsert(s.reservations.started, s.rooms.r102, { validFrom: TO, validTo: FROM }),
      upsert(s.reservations.unassigned, null),
    ]);
    expect(results[0]!.ok ? null : results[0]!.error).toBeInstanceOf(ValidationError);
    expect(results[1]!.ok ? '' : results[1]!.error.message).toBe('validTo: must be after validFrom');
    expect(results[2]!.ok).toBe(true);
    expect(fake.calls(GET)[0]!.body.ServiceOrderIds).toEqual([s.reservations.unassigned]);
  });

  it('keeps the PIN out of error messages even when MEWS echoes it', async () => {
    const { fake, s, provider } = setup();
    fake.failNext(ADD, { status: 400, body: { Message: 'Value 583920 is not allowed.' } });
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    const message = result!.ok ? '' : result!.error.message;
    expect(message).toContain('is not allowed');
    expect(message).not.toContain('583920');
  });

  it('uses configured permissions', async () => {
    const fake = newFake();
    server.use(...fake.handlers());
    const s: Seeded = seed(fake);
    const provider = providerFor(fake, { serviceIds: [s.serviceId], permissions: { Building: true } });
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(fake.activeTokens(s.reservations.confirmed)[0]!.Permissions).toEqual({
      Bed: false,
      Room: true,
      Floor: false,
      Building: true,
    });
  });
});

describe('writeBack: service-order note mirror', () => {
  it('adds, updates (no second note) and deletes our note; staff notes are left alone', async () => {
    const { fake, s, provider } = setup({ notes: true });
    fake.notes.set('staff', {
      Id: 'staff',
      OrderId: s.reservations.confirmed,
      Text: 'Late arrival',
      Type: 'General',
      CreatedUtc: '2026-04-01T00:00:00Z',
      UpdatedUtc: '2026-04-01T00:00:00Z',
    });
    const item = upsert(s.reservations.confirmed, s.rooms.r101, { unitName: '204' });
    await provider.writeBack!([item]);
    const ours = () => [...fake.notes.values()].filter((n) => n.Text.startsWith('BRAFA PIN '));
    expect(ours().map((n) => n.Text)).toEqual([
      'BRAFA PIN 583920 | Valid 2026-05-01T13:00:00Z -> 2026-05-03T09:00:00Z | Resource 204',
    ]);
    await provider.writeBack!([{ ...item, passcode: '720461' }]);
    expect(ours().map((n) => n.Text)).toEqual([
      'BRAFA PIN 720461 | Valid 2026-05-01T13:00:00Z -> 2026-05-03T09:00:00Z | Resource 204',
    ]);
    expect(fake.calls('serviceOrderNotes/update')).toHaveLength(1);
    await provider.writeBack!([remove(s.reservations.confirmed, s.rooms.r101)]);
    expect(ours()).toEqual([]);
    expect(fake.notes.has('staff')).toBe(true);
  });

  it('is off by default', async () => {
    const { fake, s, provider } = setup();
    await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(fake.requests.some((r) => r.operation.startsWith('serviceOrderNotes/'))).toBe(false);
  });

  it('a transient note failure fails the item so it is retried; the token is already written', async () => {
    const { fake, s, provider } = setup({ notes: true });
    fake.failNext('serviceOrderNotes/getAll', { status: 503 }, 10);
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(result!.ok).toBe(false);
    expect(fake.activeTokens(s.reservations.confirmed)).toHaveLength(1);
  });

  it('a permanent note failure is logged, the token write still counts', async () => {
    const fake = newFake();
    server.use(...fake.handlers());
    const s = seed(fake);
    const warnings: string[] = [];
    const provider = providerFor(fake, {
      serviceIds: [s.serviceId],
      useServiceOrderNotes: true,
      logger: { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) },
    });
    fake.failNext('serviceOrderNotes/add', { status: 403, body: { Message: 'Notes are disabled.' } });
    const [result] = await provider.writeBack!([upsert(s.reservations.confirmed, s.rooms.r101)]);
    expect(result!.ok).toBe(true);
    expect(warnings).toContain('MEWS note mirror failed; the access token is written');
  });
});
