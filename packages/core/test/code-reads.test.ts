import { describe, expect, it } from 'vitest';
import { CodeReads } from '../src/engine/code-reads.js';
import type { AccessCodeQuery } from '../src/ports/store.js';
import { makeAccessCode } from '../src/testing/fixtures.js';
import { MemoryStore } from '../src/testing/memory-store.js';

function countingStore() {
  const store = new MemoryStore();
  const calls: string[] = [];
  const list = store.listAccessCodes.bind(store);
  store.listAccessCodes = (query: AccessCodeQuery) => {
    calls.push(`list ${query.ids?.length ?? 'all'}`);
    return list(query);
  };
  const get = store.getAccessCode.bind(store);
  store.getAccessCode = (id: string) => {
    calls.push('get');
    return get(id);
  };
  return { store, calls };
}

describe('CodeReads', () => {
  it('reads asked for in the same turn in one query, each reader getting its own row', async () => {
    const { store, calls } = countingStore();
    const codes = Array.from({ length: 5 }, (_, i) => makeAccessCode({ bookingId: `B${i}` }));
    await store.saveAccessCodes(codes);
    const reads = new CodeReads(store);
    const [a, b, again, missing, revoked] = await Promise.all([
      reads.get(codes[0]!.id),
      reads.get(codes[3]!.id),
      reads.get(codes[0]!.id),
      reads.get('no-such-code'),
      (async () => {
        await store.updateAccessCode(codes[4]!.id, { state: 'revoked' });
        return reads.get(codes[4]!.id);
      })(),
    ]);
    expect(calls).toEqual(['list 4']);
    expect(a?.id).toBe(codes[0]!.id);
    expect(again?.id).toBe(codes[0]!.id);
    expect(b?.bookingId).toBe('B3');
    expect(missing).toBeUndefined();
    // Revoked rows are read too: the job must see that its code was settled meanwhile.
    expect(revoked?.state).toBe('revoked');
  });

  it('reads the row as it is when the batch runs, not as it was when asked', async () => {
    const { store } = countingStore();
    const code = makeAccessCode();
    await store.saveAccessCodes([code]);
    const reads = new CodeReads(store);
    const read = reads.get(code.id);
    await store.updateAccessCode(code.id, { state: 'pending_revoke' });
    expect((await read)?.state).toBe('pending_revoke');
  });

  it('a lone read is a plain read by id; reads asked for later go into the next batch', async () => {
    const { store, calls } = countingStore();
    const codes = [makeAccessCode({ bookingId: 'B1' }), makeAccessCode({ bookingId: 'B2' })];
    await store.saveAccessCodes(codes);
    const reads = new CodeReads(store);
    expect((await reads.get(codes[0]!.id))?.bookingId).toBe('B1');
    expect((await Promise.all(codes.map((c) => reads.get(c.id)))).map((c) => c?.bookingId)).toEqual([
      'B1',
      'B2',
    ]);
    expect(calls).toEqual(['get', 'list 2']);
  });

  it('when the batch fails, each row is read on its own; a reader whose own read fails gets the reason', async () => {
    const { store, calls } = countingStore();
    const codes = [makeAccessCode({ bookingId: 'B1' }), makeAccessCode({ bookingId: 'B2' })];
    await store.saveAccessCodes(codes);
    const reads = new CodeReads(store);
    const list = store.listAccessCodes.bind(store);
    store.listAccessCodes = async () => {
      throw new Error('database is locked');
    };
    const get = store.getAccessCode.bind(store);
    store.getAccessCode = async (id: string) => {
      calls.push(`get ${id === codes[1]!.id ? 'B2' : 'B1'}`);
      if (id === codes[1]!.id) throw new Error('disk I/O error');
      return get(id);
    };
    const settled = await Promise.allSettled(codes.map((c) => reads.get(c.id)));
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { bookingId: 'B1' } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: new Error('disk I/O error') });
    expect(calls.filter((c) => c.startsWith('get B'))).toEqual(['get B1', 'get B2']);
    store.listAccessCodes = list;
    store.getAccessCode = get;
    expect((await Promise.all(codes.map((c) => reads.get(c.id)))).map((c) => c?.bookingId)).toEqual([
      'B1',
      'B2',
    ]);
  });
});
