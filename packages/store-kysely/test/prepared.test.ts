import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrafaDatabase, migrateToLatest, openKysely } from '../src/index.js';
import type { StoreContext } from '../src/store/context.js';
import { param, runPrepared } from '../src/store/prepared.js';

describe('runPrepared', () => {
  let db: Kysely<BrafaDatabase>;
  let ctx: StoreContext;
  beforeAll(async () => {
    db = await openKysely('sqlite::memory:');
    await migrateToLatest(db);
    await db
      .insertInto('checkpoints')
      .values([
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ])
      .execute();
    ctx = { db, dialect: 'sqlite', maxParameters: 32_766, atomic: (fn) => fn(db) };
  });
  afterAll(async () => {
    await db.destroy();
  });

  const read = (key: string) =>
    runPrepared(
      ctx,
      'test:read',
      (d) => d.selectFrom('checkpoints').select('value').where('key', '=', param<string>('key')),
      { key },
    );

  it('compiles a shape once and runs it with each call’s values', async () => {
    expect((await read('a')).rows).toEqual([{ value: '1' }]);
    expect((await read('b')).rows).toEqual([{ value: '2' }]);
    expect((await read('zz')).rows).toEqual([]);
  });

  it('keeps the constants of the shape and reports affected rows', async () => {
    const set = (key: string, value: string) =>
      runPrepared(
        ctx,
        'test:set',
        (d) =>
          d
            .updateTable('checkpoints')
            .set({ value: param<string>('value') })
            .where('key', '=', param<string>('key'))
            .where('value', '<>', 'frozen'),
        { key, value },
      );
    expect((await set('a', '10')).numAffectedRows).toBe(1n);
    expect((await set('nope', '10')).numAffectedRows).toBe(0n);
    expect((await read('a')).rows).toEqual([{ value: '10' }]);
    await set('b', 'frozen');
    expect((await set('b', '3')).numAffectedRows).toBe(0n);
  });

  it('refuses a call without a value for a slot', async () => {
    await expect(
      runPrepared(
        ctx,
        'test:missing',
        (d) => d.selectFrom('checkpoints').select('value').where('key', '=', param<string>('key')),
        {},
      ),
    ).rejects.toThrow('prepared query test:missing: no value for key');
  });
});
