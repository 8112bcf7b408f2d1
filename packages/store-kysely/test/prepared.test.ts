import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKysely } from '../src/index.js';
import type { StoreContext } from '../src/store/context.js';
import { param, runPrepared } from '../src/store/prepared.js';

describe('runPrepared', () => {
  let ctx: StoreContext;
  beforeAll(async () => {
    const db = await openKysely('sqlite::memory:');
    await sql`create table t (id text primary key, n integer)`.execute(db);
    await sql`insert into t values ('a', 1), ('b', 2)`.execute(db);
    ctx = {
      db,
      dialect: 'sqlite',
      maxParameters: 32_766,
      atomic: (fn: (d: typeof db) => unknown) => fn(db),
    } as unknown as StoreContext;
  });
  afterAll(async () => {
    await ctx.db.destroy();
  });

  const readN = (id: string) =>
    runPrepared(
      ctx,
      'test:readN',
      // biome-ignore lint/suspicious/noExplicitAny: a table outside the store's schema
      (db) => (db as any).selectFrom('t').select('n').where('id', '=', param<string>('id')),
      { id },
    );

  it('compiles a shape once and runs it with each call’s values', async () => {
    expect((await readN('a')).rows).toEqual([{ n: 1 }]);
    expect((await readN('b')).rows).toEqual([{ n: 2 }]);
    expect((await readN('zz')).rows).toEqual([]);
  });

  it('keeps constants of the shape and reports affected rows', async () => {
    const bump = (id: string, by: number) =>
      runPrepared(
        ctx,
        'test:bump',
        // biome-ignore lint/suspicious/noExplicitAny: a table outside the store's schema
        (db) =>
          (db as any)
            .updateTable('t')
            .set({ n: param<number>('n') })
            .where('id', '=', param<string>('id'))
            .where('n', '>', 0),
        { id, n: by },
      );
    expect((await bump('a', 10)).numAffectedRows).toBe(1n);
    expect((await bump('nope', 10)).numAffectedRows).toBe(0n);
    expect((await readN('a')).rows).toEqual([{ n: 10 }]);
  });

  it('refuses a call without a value for a slot', async () => {
    await expect(
      runPrepared(
        ctx,
        'test:missing',
        // biome-ignore lint/suspicious/noExplicitAny: a table outside the store's schema
        (db) => (db as any).selectFrom('t').select('n').where('id', '=', param<string>('id')),
        {},
      ),
    ).rejects.toThrow('prepared query test:missing: no value for id');
  });
});
