// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design (Kysely's Migration interface)
import type { ColumnDataType, CreateTableBuilder, Kysely } from 'kysely';
import { detectDialect, type SqlDialect } from '../dialect/detect.js';

/**
 * Column types that differ between the dialects. Everything else in the migrations is
 * portable DDL, so one migration file serves SQLite and PostgreSQL.
 */
export interface Columns {
  dialect: SqlDialect;
  /** Epoch milliseconds: SQLite `integer` is 64-bit already; PostgreSQL needs `bigint`. */
  instant: ColumnDataType;
  /** Adds an auto-incrementing integer primary key named `id`. */
  withId<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
}

export function columnsFor(db: Kysely<any>): Columns {
  const dialect = detectDialect(db);
  return {
    dialect,
    instant: dialect === 'postgres' ? 'bigint' : 'integer',
    withId: (table) =>
      dialect === 'postgres'
        ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : // AUTOINCREMENT: ids are never reused, so a stale job id can never name a new job.
          table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}
