import { PermanentError, TransientError, type WriteBackItem } from '@brafa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planInfoItems } from '../src/index.js';
import { booking, harness, useMsw } from './support/setup.js';

const server = useMsw();

function item(bookingId: number, overrides: Partial<WriteBackItem> = {}): WriteBackItem {
  return {
    propertyId: 'P1',
    bookingId: String(bookingId),
    action: 'upsert',
    passcode: '583920',
    validFrom: new Date('2026-06-01T13:00:00Z'),
    validTo: new Date('2026-06-04T09:00:00Z'),
    resourceId: '316001:1',
    roomId: '316001',
    unitName: '1',
    externalIds: { beds24BookingId: String(bookingId) },
    ref: null,
    ...overrides,
  };
}

describe('planInfoItems', () => {
  const at = '2026-01-01T00:00:00Z';
  it('adds when absent, modifies by id when different, does nothing when equal', () => {
    expect(planInfoItems([], 'K', { action: 'upsert', text: '1' }, null)).toEqual({
      writes: [{ code: 'K', text: '1' }],
      ref: null,
    });
    const existing = [{ id: 7, code: 'K', text: '1', createTime: at }];
    expect(planInfoItems(existing, 'K', { action: 'upsert', text: '2' }, null)).toEqual({
      writes: [{ id: 7, code: 'K', text: '2' }],
      ref: 7,
    });
    expect(planInfoItems(existing, 'K', { action: 'upsert', text: '1' }, null)).toEqual({
      writes: [],
      ref: 7,
    });
  });

  it('keeps the known (else oldest) item and deletes duplicates; delete removes all of ours only', () => {
    const items = [
      { id: 9, code: 'K', text: 'a' },
      { id: 3, code: 'K', text: 'b' },
      { id: 5, code: 'OTHER', text: 'x' },
    ];
    expect(planInfoItems(items, 'K', { action: 'upsert', text: 'b' }, null)).toEqual({
      writes: [{ id: 9 }],
      ref: 3,
    });
    expect(planInfoItems(items, 'K', { action: 'upsert', text: 'a' }, 9)).toEqual({
      writes: [{ id: 3 }],
      ref: 9,
    });
    expect(planInfoItems(items, 'K', { action: 'delete' }, null)).toEqual({
      writes: [{ id: 3 }, { id: 9 }],
      ref: null,
    });
  });
});

describe('Beds24 write-back', () => {
  it('adds one info item with the passcode, sending only the booking id and info items', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    const [result] = await provider.writeBack!([item(1)]);
    const [stored] = fake.infoItems(1, 'BRAFA_KEY');
    expect(fake.infoItems(1, 'BRAFA_KEY')).toHaveLength(1);
    expect(stored!.text).toBe('583920');
    expect(result).toEqual({ bookingId: '1', ok: true, ref: String(stored!.id) });
    expect(fake.requestsTo('POST', '/bookings')[0]!.body).toEqual([
      { id: 1, infoItems: [{ code: 'BRAFA_KEY', text: '583920' }] },
    ]);
  });

  it('a retry with no ref known adds nothing and writes nothing', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    await provider.writeBack!([item(1)]);
    const again = await provider.writeBack!([item(1)]);
    expect(again[0]).toMatchObject({ ok: true });
    expect(fake.infoItems(1, 'BRAFA_KEY')).toHaveLength(1);
    expect(fake.requestsTo('POST', '/bookings')).toHaveLength(1);
  });

  it('after a lost response (applied, then 500) the retry re-reads and does not duplicate', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    fake.fail('POST', '/bookings', 500, { afterApply: true });
    const [first] = await provider.writeBack!([item(1)]);
    expect(first).toMatchObject({ ok: false });
    expect(first!.ok === false && first!.error).toBeInstanceOf(TransientError);
    expect(fake.requestsTo('POST', '/bookings')).toHaveLength(1); // never blindly re-posted
    const [retry] = await provider.writeBack!([item(1)]);
    expect(retry).toMatchObject({ ok: true, ref: String(fake.infoItems(1, 'BRAFA_KEY')[0]!.id) });
    expect(fake.infoItems(1, 'BRAFA_KEY')).toHaveLength(1);
  });

  it('changes the passcode by info-item id and removes duplicates left by others', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    const oldest = fake.addInfoItem(1, 'BRAFA_KEY', '111111');
    fake.addInfoItem(1, 'BRAFA_KEY', '111111');
    const foreign = fake.addInfoItem(1, 'LOCK_PIN', '9999');
    const [result] = await provider.writeBack!([item(1, { passcode: '720461' })]);
    expect(result).toEqual({ bookingId: '1', ok: true, ref: String(oldest.id) });
    expect(fake.infoItems(1)).toEqual([
      { ...oldest, text: '720461' },
      foreign, // other integrations' items are never touched
    ]);
    const body = fake.requestsTo('POST', '/bookings')[0]!.body as Array<{
      infoItems: Array<{ id?: number }>;
    }>;
    expect(body[0]!.infoItems.every((i) => typeof i.id === 'number')).toBe(true);
  });

  it('deletes our item on revoke; deleting again is a successful no-op', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    const [written] = await provider.writeBack!([item(1)]);
    const ref = written!.ok ? written!.ref : null;
    const [removed] = await provider.writeBack!([item(1, { action: 'delete', passcode: null, ref })]);
    expect(removed).toEqual({ bookingId: '1', ok: true, ref: null });
    expect(fake.infoItems(1, 'BRAFA_KEY')).toEqual([]);
    const posts = fake.requestsTo('POST', '/bookings').length;
    expect(await provider.writeBack!([item(1, { action: 'delete', passcode: null, ref })])).toEqual([
      { bookingId: '1', ok: true, ref: null },
    ]);
    expect(fake.requestsTo('POST', '/bookings')).toHaveLength(posts);
  });

  it('batches many bookings into one read and one POST', async () => {
    const ids = [1, 2, 3, 4, 5];
    const { provider, fake } = harness(server, { seed: ids.map((id) => booking(id)) });
    const results = await provider.writeBack!(ids.map((id) => item(id, { passcode: `58392${id}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.requestsTo('POST', '/bookings')).toHaveLength(1);
    expect((fake.requestsTo('POST', '/bookings')[0]!.body as unknown[]).length).toBe(5);
    // one read before, one read-back of the new ids
    expect(fake.requestsTo('GET', '/bookings')).toHaveLength(2);
    for (const id of ids) expect(fake.infoItems(id, 'BRAFA_KEY').map((i) => i.text)).toEqual([`58392${id}`]);
  });

  it('splits POSTs by writeBatchSize', async () => {
    const ids = [1, 2, 3, 4, 5];
    const { provider, fake } = harness(server, { seed: ids.map((id) => booking(id)), writeBatchSize: 2 });
    await provider.writeBack!(ids.map((id) => item(id)));
    expect(fake.requestsTo('POST', '/bookings').map((r) => (r.body as unknown[]).length)).toEqual([2, 2, 1]);
  });

  it('reports per-item failures without the passcode, and the rest succeed', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1), booking(2)] });
    fake.fail('POST', '/bookings', 201, {
      body: [
        { success: false, errors: [{ action: 'new', field: 'infoItems', message: 'text 583920 rejected' }] },
        { success: true, new: { field: 'infoItems' } },
      ],
    });
    const results = await provider.writeBack!([item(1), item(2, { passcode: '204816' })]);
    expect(results[0]!.ok).toBe(false);
    const error = results[0]!.ok ? undefined : results[0]!.error;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error?.message).toContain('booking 1');
    expect(error?.message).not.toContain('583920');
    expect(results[1]).toMatchObject({ bookingId: '2', ok: true });
  });

  it('fails an upsert for an unknown booking, and rejects a non-numeric id', async () => {
    const { provider } = harness(server, { seed: [booking(1)] });
    const results = await provider.writeBack!([
      item(404),
      item(1, { bookingId: 'abc', externalIds: {} }),
      item(1),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(!results[0]!.ok && results[0]!.error.message).toMatch(/404 not found/);
    expect(!results[1]!.ok && results[1]!.error.name).toBe('ValidationError');
  });

  it('uses the configured code and text format', async () => {
    const { provider, fake } = harness(server, {
      seed: [booking(1)],
      infoItemCode: 'DOOR_CODE',
      formatText: (i) => `${i.passcode} (valid from ${i.validFrom?.toISOString().slice(0, 10)})`,
    });
    await provider.writeBack!([item(1)]);
    expect(fake.infoItems(1).map((i) => [i.code, i.text])).toEqual([
      ['DOOR_CODE', '583920 (valid from 2026-06-01)'],
    ]);
  });

  it('keeps exactly one item holding the last passcode, whatever responses are lost (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            action: fc.constantFrom('upsert', 'delete'),
            passcode: fc.constantFrom('583920', '720461', '204816'),
            lost: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (steps) => {
          server.resetHandlers();
          const { provider, fake } = harness(server, { seed: [booking(1)] });
          let expected: string | null = null;
          for (const step of steps) {
            const wb = item(
              1,
              step.action === 'delete' ? { action: 'delete', passcode: null } : { passcode: step.passcode },
            );
            if (step.lost) fake.fail('POST', '/bookings', 503, { afterApply: true });
            const [result] = await provider.writeBack!([wb]);
            if (!result!.ok) await provider.writeBack!([wb]); // the engine's retry
            // A no-op write posts nothing, so an unused fault must not leak into the next step.
            fake.clearFaults();
            expected = step.action === 'delete' ? null : step.passcode;
            const ours = fake.infoItems(1, 'BRAFA_KEY');
            expect(ours.length).toBeLessThanOrEqual(1);
            expect(ours[0]?.text ?? null).toBe(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
