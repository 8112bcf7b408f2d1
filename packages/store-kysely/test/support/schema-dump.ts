import { type Kysely, sql } from 'kysely';
import type { SqlDialect } from '../../src/index.js';

/** A deterministic text description of the schema, to compare two databases. */
// biome-ignore lint/suspicious/noExplicitAny: inspects whatever tables exist
export async function dumpSchema(db: Kysely<any>, dialect: SqlDialect): Promise<string[]> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ type: string; name: string; tbl_name: string; sql: string | null }>`
      select type, name, tbl_name, sql from sqlite_master
      where name not like 'sqlite_%' order by type, name`.execute(db);
    return rows.map((r) => `${r.type} ${r.name} on ${r.tbl_name}: ${r.sql ?? ''}`);
  }
  const columns = await sql<{ line: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
           || ' default=' || coalesce(column_default, '') || ' #' || ordinal_position as line
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`.execute(db);
  const indexes = await sql<{ line: string }>`
    select indexdef as line from pg_indexes where schemaname = 'public' order by indexname`.execute(db);
  const constraints = await sql<{ line: string }>`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as line
    from pg_constraint where connamespace = 'public'::regnamespace
    order by conrelid::regclass::text, conname`.execute(db);
  return [...columns.rows, ...indexes.rows, ...constraints.rows].map((r) => r.line);
}
