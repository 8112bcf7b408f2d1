import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { BrafaDatabase } from '../schema/database.js';
import { heldConnection, type StoreContext } from './context.js';
import { compileShape, param } from './prepared.js';

/**
 * Rows per statement of a multi-row write. Large enough that a statement's own overhead
 * vanishes (128 rows of 15 columns: 1,920 values), small enough that its SQL is cheap to
 * compile and prepare once.
 */
const MAX_ROWS_PER_STATEMENT = 128;

type RowSlot = { row: number; column: string } | { value: unknown };
interface RowShape {
  sql: string;
  slots: RowSlot[];
}

// One entry per (dialect, key, columns, rows per statement): at most eight sizes per key.
const shapes = new Map<string, RowShape>();

/**
 * Writes `rows` with multi-row statements of fixed sizes: as many of the largest size as fit,
 * then the rest in halving powers of two (at most seven more statements). Each size of each
 * `key` is built by Kysely and compiled once per process, and prepared once per connection.
 *
 * One statement for a whole batch (`values(rows)`) has SQL as long as the batch: a batch of
 * any new length was compiled by Kysely and prepared by SQLite from scratch. Measured for
 * 2,000 access codes: 20–54 ms that way against 6–17 ms in these fixed shapes, and a sync's
 * pages, plans and job batches each have a length of their own.
 *
 * `build` receives the store's Kysely and `rows` whose values are slots; it must pass every
 * value through unchanged (as `values(rows)` does). The columns are the first row's (a row
 * builder function gives every row the same); a value missing from a row is NULL. `db` runs
 * the statements (the caller's transaction). Returns every statement's rows, in order.
 */
export async function runPreparedRows<Row extends object, R>(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
  key: string,
  rows: readonly Row[],
  build: (db: Kysely<BrafaDatabase>, rows: Row[]) => Compilable<R>,
): Promise<R[]> {
  const out: R[] = [];
  const first = rows[0];
  if (first === undefined) return out;
  const columns = Object.keys(first);
  let at = 0;
  for (const size of statementSizes(rows.length, rowsPerStatement(columns.length, ctx.maxParameters))) {
    const shape = shapeOf(ctx, key, size, columns, build);
    const parameters = shape.slots.map((slot) => {
      if ('value' in slot) return slot.value;
      // A missing value is NULL, as Kysely writes it in a multi-row insert on SQLite.
      return (rows[at + slot.row] as Record<string, unknown>)[slot.column] ?? null;
    });
    const held = heldConnection(ctx, db);
    const result = held
      ? held.execute(shape.sql, parameters)
      : await db.executeQuery(CompiledQuery.raw(shape.sql, parameters));
    for (const row of result.rows) out.push(row as R);
    at += size;
  }
  return out;
}

/** The largest power of two of rows, up to the maximum, whose values stay within the limit. */
function rowsPerStatement(columns: number, maxParameters: number): number {
  let size = MAX_ROWS_PER_STATEMENT;
  while (size > 1 && size * Math.max(1, columns) > maxParameters) size /= 2;
  return size;
}

/** `total` rows as statements of `largest` rows, then the rest in halving powers of two. */
export function statementSizes(total: number, largest: number): number[] {
  const sizes: number[] = [];
  let left = total;
  for (; left >= largest; left -= largest) sizes.push(largest);
  for (let size = largest / 2; size >= 1; size /= 2) {
    if (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

function shapeOf<Row extends object, R>(
  ctx: StoreContext,
  key: string,
  size: number,
  columns: string[],
  build: (db: Kysely<BrafaDatabase>, rows: Row[]) => Compilable<R>,
): RowShape {
  // The columns are part of the shape: the same key with other columns must not reuse its SQL.
  const cacheKey = `${ctx.dialect}\u0000${key}\u0000${columns.join(',')}\u0000${size}`;
  let shape = shapes.get(cacheKey);
  if (!shape) {
    const slotted = Array.from(
      { length: size },
      (_, row) => Object.fromEntries(columns.map((column) => [column, param(`${row}.${column}`)])) as Row,
    );
    const compiled = compileShape(build(ctx.db, slotted), key);
    shape = {
      sql: compiled.sql,
      slots: compiled.slots.map((slot) => {
        if (!('name' in slot)) return slot;
        const dot = slot.name.indexOf('.');
        return { row: Number(slot.name.slice(0, dot)), column: slot.name.slice(dot + 1) };
      }),
    };
    shapes.set(cacheKey, shape);
  }
  return shape;
}
