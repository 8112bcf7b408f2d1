import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BrafaDatabase, createSqliteDialect, migrateToLatest } from '../src/index.js';
import type { StoreContext } from '../src/store/context.js';
import { runPreparedRows, statementSizes } from '../src/store/prepared-rows.js';
import { type SpiedDatabase, spyDatabase } from './support/sqlite-spy.js';

describe('statementSizes', () => {
  it.each([
    [0, 128, []],
    [1, 128, [1]],
    [128, 128, [128]],
    [129, 128, [128, 1]],
    [300, 128, [128, 128, 32, 8, 4]],
    [255, 128, [128, 64, 32, 16, 8, 4, 2, 1]],
    [70, 64, [64, 4, 2]],
    [3, 1, [1, 1, 1]],
  ])('%i rows, at most %i a statement: %j', (total, largest, sizes) => {
    expect(statementSizes(total, largest)).toEqual(sizes);
  });
});

describe('runPreparedRows', () => {
  let spy: SpiedDatabase;
  let db: Kysely<BrafaDatabase>;
  const context = (maxParameters: number): StoreContext => ({
    db,
    dialect: 'sqlite',
    maxParameters,
    atomic: (fn) => fn(db),
  });
  const rows = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` }));
  const insert = (ctx: StoreContext, list: { key: string; value: string }[]) =>
    runPreparedRows(ctx, db, 'test:checkpoints', list, (d, part) =>
      d.insertInto('checkpoints').values(part).returning('key'),
    );

  beforeEach(async () => {
    spy = spyDatabase();
    db = new Kysely<BrafaDatabase>({ dialect: createSqliteDialect(spy.database) });
    await migrateToLatest(db);
    spy.prepared.length = 0;
    spy.executed.length = 0;
  });
  afterEach(async () => {
    await db.destroy();
  });

  it.each([1, 127, 128, 129, 300])('writes all of %i rows, each with its own values, in order', async (n) => {
    const returned = await insert(context(32_766), rows(n));
    expect(returned.map((r) => r.key)).toEqual(rows(n).map((r) => r.key));
    const stored = await db.selectFrom('checkpoints').selectAll().orderBy('key').execute();
    expect(stored).toEqual([...rows(n)].sort((a, b) => (a.key < b.key ? -1 : 1)));
  });

  it('writes nothing for no rows', async () => {
    expect(await insert(context(32_766), [])).toEqual([]);
    expect(spy.executed).toEqual([]);
  });

  it('prepares each statement size once, whatever the batch lengths', async () => {
    const ctx = context(32_766);
    await insert(ctx, rows(300, 0));
    await insert(ctx, rows(300, 1000));
    await insert(ctx, rows(260, 2000));
    const prepared = spy.prepared.filter((sql) => sql.startsWith('insert into "checkpoints"'));
    // 300 = 128 + 128 + 32 + 8 + 4; 260 = 128 + 128 + 4.
    expect(prepared).toHaveLength(4);
    expect(spy.executed.filter((e) => e.sql.startsWith('insert')).map((e) => e.parameters / 2)).toEqual([
      128, 128, 32, 8, 4, 128, 128, 32, 8, 4, 128, 128, 4,
    ]);
  });

  it('keeps every statement within the bind-parameter limit', async () => {
    await insert(context(100), rows(70));
    // 2 columns, at most 100 values: 32 rows a statement (the largest power of two), then 32, 4, 2.
    expect(spy.executed.map((e) => e.parameters)).toEqual([64, 64, 8, 4]);
    expect(await db.selectFrom('checkpoints').select('key').execute()).toHaveLength(70);
  });

  it('builds a shape per column set, so one key with other columns writes them all', async () => {
    const ctx = context(32_766);
    const write = (list: object[]) =>
      runPreparedRows(ctx, db, 'test:quarantine-columns', list as never[], (d, part) =>
        d.insertInto('quarantine').values(part).returning(['record_id', 'reason']),
      );
    await write([{ property_id: 'P1', source: 's', reason: 'first', raw: '{}', at: 1 }]);
    const second = await write([
      { property_id: 'P1', source: 's', record_id: 'r2', reason: 'second', raw: '{}', at: 2 },
    ]);
    expect(second).toEqual([{ record_id: 'r2', reason: 'second' }]);
  });

  it('writes a value missing from a row as NULL', async () => {
    const list = [{ key: 'a', value: 'x' }, { key: 'b' } as { key: string; value: string }];
    await expect(insert(context(32_766), list)).rejects.toThrow(
      /NOT NULL constraint failed: checkpoints.value/,
    );
    const nullable = await runPreparedRows(
      context(32_766),
      db,
      'test:quarantine',
      [
        { property_id: 'P1', source: 's', record_id: 'r1', reason: 'x', raw: '{}', at: 1 },
        { property_id: 'P1', source: 's', reason: 'y', raw: '{}', at: 2 } as never,
      ],
      (d, part) => d.insertInto('quarantine').values(part).returning(['record_id']),
    );
    expect(nullable).toEqual([{ record_id: 'r1' }, { record_id: null }]);
  });
});
