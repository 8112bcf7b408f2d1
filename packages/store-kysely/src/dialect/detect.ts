import { ValidationError } from '@brafa/core';
import { type Kysely, PostgresAdapter, SqliteAdapter } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

/**
 * Which SQL the store must speak, read from the Kysely adapter. Third-party dialects usually
 * reuse Kysely's adapters (PGlite, postgres.js…); anything else must say so explicitly.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely, whatever its tables
export function detectDialect(db: Kysely<any>, explicit?: SqlDialect): SqlDialect {
  if (explicit) return explicit;
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  // A second copy of kysely in node_modules breaks instanceof; the class name still tells.
  const name = adapter.constructor.name;
  if (/postgres/i.test(name)) return 'postgres';
  if (/sqlite/i.test(name)) return 'sqlite';
  throw new ValidationError(
    'options.dialect',
    `cannot tell the SQL dialect of this Kysely instance (adapter ${name}); pass 'sqlite' or 'postgres'`,
  );
}
