import type { Store } from '@brafa/core';
import { ValidationError } from '@brafa/core';
import { Kysely, PostgresDialect } from 'kysely';
import { createSqliteDialect, type SqliteTuning } from './dialect/sqlite.js';
import { migrateToLatest } from './migrations/index.js';
import type { BrafaDatabase } from './schema/database.js';
import { createKyselyStore } from './store/kysely-store.js';

export interface OpenStoreOptions extends SqliteTuning {
  /** Run `migrateToLatest` before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size per process (default 10). */
  poolSize?: number;
}

/**
 * Opens a store from a URL and owns what it opens: `close()` destroys the connection/pool.
 * - `sqlite:./brafa.db`, `sqlite:/abs/path.db`, `sqlite:///abs/path.db` — embedded, one process
 *   writing at a time (WAL, busy timeout, BEGIN IMMEDIATE).
 * - `sqlite::memory:` — a private in-memory database (tests, dry runs).
 * - `postgres://user:pass@host:5432/db` (or `postgresql://`) — several workers on several machines.
 * Drivers are loaded on demand, so a PostgreSQL-only deployment never loads better-sqlite3.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const db = await openKysely(url, options);
  try {
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createKyselyStore(db, { onClose: () => db.destroy() });
}

/** The Kysely instance `openStore` would use, for callers who want to run their own queries too. */
export async function openKysely(
  url: string,
  options: OpenStoreOptions = {},
): Promise<Kysely<BrafaDatabase>> {
  if (url.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const database = new Database(sqlitePath(url));
    try {
      return new Kysely<BrafaDatabase>({ dialect: createSqliteDialect(database, options) });
    } catch (error) {
      database.close();
      throw error;
    }
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { Pool } = await import('pg');
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection the server drops (restart, failover) emits 'error' on the pool, which
    // would crash the process if unhandled. The pool discards that client; the next query
    // opens a new one, and a query that was using it fails on its own.
    pool.on('error', () => {});
    return new Kysely<BrafaDatabase>({ dialect: new PostgresDialect({ pool }) });
  }
  // Never echo the URL: it may carry a password.
  throw new ValidationError('store.url', "expected 'sqlite:<path>', 'sqlite::memory:' or 'postgres://…'");
}

export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:' || rest === '') return ':memory:';
  // sqlite:///abs/path → /abs/path; sqlite://./rel → ./rel
  return rest.startsWith('//') ? rest.slice(2) : rest;
}
