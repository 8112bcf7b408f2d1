import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect/detect.js';
import type { HeldSqliteConnection } from '../dialect/sqlite.js';
import type { BrafaDatabase } from '../schema/database.js';

/** What every store operation needs: where to run, which SQL to speak, how big a statement may get. */
export interface StoreContext {
  db: Kysely<BrafaDatabase>;
  dialect: SqlDialect;
  /** Bind parameters allowed in one statement (multi-row inserts are chunked below it). */
  maxParameters: number;
  /**
   * Runs `fn` in one transaction: the current one when already inside a transaction (so a
   * batch joins the caller's unit of work), a new one otherwise (so a batch is all or nothing).
   */
  atomic<T>(fn: (db: Kysely<BrafaDatabase>) => Promise<T>): Promise<T>;
  /**
   * In a store bound to a transaction on SQLite: the connection that transaction holds, for as
   * long as it does (`runPrepared` runs on it directly). Absent elsewhere.
   */
  held?: HeldTransaction;
}

/**
 * A transaction's hold on the SQLite connection; `open` turns false when its work settles. A
 * statement on it runs when it is called, one through Kysely a few promise turns later: two
 * statements of one transaction issued without awaiting the first have no order between the
 * two ways (the store's methods await each statement in turn; the engine issues only reads
 * side by side).
 */
export interface HeldTransaction {
  readonly connection: HeldSqliteConnection;
  /** The transaction's Kysely, so a statement given another `db` never takes this lane. */
  readonly db: Kysely<BrafaDatabase>;
  open: boolean;
}

/**
 * The held connection to run a statement on directly, when `db` is the transaction holding it
 * and that transaction is still running; otherwise undefined (run it through Kysely, which
 * also refuses a finished transaction by name).
 */
export function heldConnection(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
): HeldSqliteConnection | undefined {
  const held = ctx.held;
  return held?.open && held.db === db ? held.connection : undefined;
}

/**
 * Split rows so that no statement binds more than `maxParameters` values. SQLite compiled
 * with the default SQLITE_MAX_VARIABLE_NUMBER accepts 32,766; PostgreSQL's wire protocol 65,535.
 */
export function chunk<T>(rows: readonly T[], columnsPerRow: number, maxParameters: number): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnsPerRow)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Later entries win, as with sequential upserts; a statement must not touch a row twice on PostgreSQL. */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    byKey.delete(k);
    byKey.set(k, item);
  }
  return [...byKey.values()];
}

/** Ids per `IN (…)` list: far below every dialect's parameter limit, whatever else the query binds. */
const IN_LIST_SIZE = 500;

/** Runs `query` for each slice of `ids` (none for an empty list) and concatenates the rows. */
export async function inChunks<R>(
  ids: readonly string[],
  query: (ids: string[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += IN_LIST_SIZE)
    out.push(...(await query(ids.slice(i, i + IN_LIST_SIZE))));
  return out;
}
