import type { AccessCode, Store } from '@brafa/core';
import { makeAccessCode } from '@brafa/core/testing';
import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrafaDatabase, createKyselyStore, createSqliteDialect, migrateToLatest } from '../src/index.js';
import { spyDatabase } from './support/sqlite-spy.js';

const T0 = new Date('2026-04-01T10:00:00Z');

/** A store over a Kysely whose `log` records every statement Kysely's executor ran. */
async function loggedStore(directStatements?: boolean) {
  const viaKysely: string[] = [];
  const db = new Kysely<BrafaDatabase>({
    dialect: createSqliteDialect(
      spyDatabase().database,
      directStatements === undefined ? {} : { directStatements },
    ),
    log: (event) => {
      if (event.level === 'query') viaKysely.push(event.query.sql);
    },
  });
  await migrateToLatest(db);
  const store = createKyselyStore(db);
  await store.insertAccessCodes([makeAccessCode()]);
  viaKysely.length = 0;
  return { db, store, viaKysely };
}

const CODE_ID = makeAccessCode().id;
const activate = (tx: Store) =>
  tx.updateAccessCode(CODE_ID, { state: 'active', lockCodeId: 'K1', updatedAt: T0 }, { expectedRevision: 1 });
const state = async (store: Store): Promise<AccessCode['state'] | undefined> =>
  (await store.getAccessCode(CODE_ID))?.state;
const updates = (sqls: string[]) => sqls.filter((s) => s.startsWith('update "access_codes"'));

describe('SQLite: a store transaction runs its prepared statements on the connection it holds', () => {
  let opened: Kysely<BrafaDatabase> | undefined;
  afterEach(async () => {
    await opened?.destroy();
    opened = undefined;
  });

  it('skips Kysely’s executor for them, and they commit with the transaction', async () => {
    const { db, store, viaKysely } = await loggedStore();
    opened = db;
    expect(await store.transaction(activate)).toBe(true);
    // The transaction itself still goes through Kysely; the UPDATE did not.
    expect(viaKysely).toContain('begin immediate');
    expect(viaKysely).toContain('commit');
    expect(updates(viaKysely)).toEqual([]);
    expect(await state(store)).toBe('active');
  });

  it('rolls them back with the transaction', async () => {
    const { db, store } = await loggedStore();
    opened = db;
    await expect(
      store.transaction(async (tx) => {
        expect(await activate(tx)).toBe(true);
        // Read back inside the transaction: the direct write is part of it.
        expect(await state(tx)).toBe('active');
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await state(store)).toBe('pending');
  });

  it('refuses a statement from a transaction’s store after the transaction ended, by name', async () => {
    const { db, store } = await loggedStore();
    opened = db;
    let leaked: Store | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    // Run on the bare connection it would be outside any transaction: Kysely refuses it.
    await expect(activate(leaked as Store)).rejects.toThrow('Transaction is already committed');
    expect(await state(store)).toBe('pending');
  });

  it('runs outside a transaction, and with directStatements: false, through Kysely', async () => {
    const plain = await loggedStore();
    opened = plain.db;
    expect(await activate(plain.store)).toBe(true);
    expect(updates(plain.viaKysely)).toHaveLength(1);
    await plain.db.destroy();

    const off = await loggedStore(false);
    opened = off.db;
    expect(await off.store.transaction(activate)).toBe(true);
    expect(updates(off.viaKysely)).toHaveLength(1);
    expect(await state(off.store)).toBe('active');
  });

  it('keeps the order the transaction’s statements were asked for in', async () => {
    const { db, store } = await loggedStore();
    opened = db;
    const codes = Array.from({ length: 20 }, (_, i) => makeAccessCode({ bookingId: `B${i + 10}` }));
    await store.insertAccessCodes(codes);
    // Concurrent work inside one transaction, as a group commit runs it.
    await store.transaction(async (tx) => {
      await Promise.all(
        codes.map((c, i) =>
          tx
            .updateAccessCode(c.id, { lastError: `first ${i}` })
            .then(() => tx.updateAccessCode(c.id, { lastError: `second ${i}` })),
        ),
      );
    });
    const after = await store.listAccessCodes({ ids: codes.map((c) => c.id) });
    expect(after.map((c) => c.lastError).sort()).toEqual(codes.map((_, i) => `second ${i}`).sort());
  });
});
