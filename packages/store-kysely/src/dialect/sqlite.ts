import { ValidationError } from '@brafa/core';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  type SqliteStatement,
} from 'kysely';
import { FifoMutex } from './fifo-mutex.js';

export interface SqliteTuning {
  /** How long a writer waits for another process's write lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
  /** Prepared statements kept per connection, keyed by SQL text (default 256). */
  statementCacheSize?: number;
  /**
   * SQLite's `synchronous` setting for file databases (default `'normal'`). With WAL,
   * `'normal'` syncs the log at checkpoints instead of at every commit: a commit survives any
   * process crash (SIGKILL included), and only an OS crash or power loss can lose the last
   * few, never corrupt the file. The engine is built for that case anyway (a lost commit is a
   * crash just before it: lock adds are found again by digits and adopted, write-backs read
   * before they write), so the default trades nothing it relies on for one fsync less per
   * commit. `'full'` syncs every commit.
   */
  synchronous?: 'normal' | 'full';
  /**
   * SQLite's page cache per connection, in KiB (default 2000, SQLite's own default; the
   * better-sqlite3 build raises it to 16,000). The file's pages stay in the operating
   * system's cache either way, so a larger private copy mostly adds resident memory: measured
   * on a 10,000-reservation cold sync, 16,000 KiB peaked 15 MB higher with no faster run.
   */
  cacheSizeKb?: number;
  /**
   * How many pages the write-ahead log grows to before a commit checkpoints it into the
   * database file (default 10,000, ~40 MB; SQLite's own default is 1,000). A checkpoint copies
   * each page once however often it was rewritten since the last, and a lock job rewrites
   * the same queue and code pages again and again: measured on a 2,000-code dispatch, the
   * default checkpointed 9 times (3,400 page writes, 4,600 page reads, 27 fsyncs), 10,000 not
   * once. The log file keeps its largest size on disk; memory use does not grow with it.
   */
  walAutocheckpointPages?: number;
  /**
   * Whether a store's own prepared statements inside its transactions run on the connection
   * directly (default true) instead of through Kysely's executor, which wraps each statement
   * in a chain of promises. The transaction already holds the one connection and the write
   * lock (`BEGIN IMMEDIATE`), so nothing can come between and no statement can meet another
   * writer's lock. Measured: 2,000 lock completions (a code update and a job completion each,
   * ~20 per transaction) took 62–68 ms through Kysely and 54–57 ms directly. Those
   * statements then skip Kysely's `log` hook; set false to see every statement there.
   */
  directStatements?: boolean;
}

/**
 * Kysely's SQLite dialect, tuned for a durable job queue:
 * - WAL (readers never block the writer; a process crash loses nothing committed) with
 *   `synchronous = NORMAL` (see `SqliteTuning.synchronous`), a busy timeout, foreign keys on;
 * - every transaction starts with `BEGIN IMMEDIATE`: it takes the single write lock up
 *   front, so a read-then-write transaction can never fail half-way with SQLITE_BUSY
 *   because another process wrote in between (SQLite's single-writer model, made explicit);
 * - prepared statements are cached by SQL text instead of being re-compiled per call.
 *
 * better-sqlite3 is synchronous: a connection waiting for the write lock blocks its whole
 * process. Open one connection per file per process (as `openStore` does); the locking is
 * for *other processes*.
 */
export function createSqliteDialect(
  database: BetterSqlite3.Database,
  tuning: SqliteTuning = {},
): SqliteDialect {
  applyPragmas(database, tuning);
  // From here on, waiting for another connection's write lock is asynchronous (see
  // `waitingConnection`): SQLite's own busy handler sleeps inside the call and freezes the
  // whole event loop, up to 100 ms per sleep.
  database.pragma('busy_timeout = 0');
  const cached = cachingDatabase(database, tuning.statementCacheSize ?? 256);
  return new ImmediateSqliteDialect(
    { database: cached },
    busyTimeoutOf(tuning),
    tuning.directStatements === false ? undefined : new HeldSqliteConnection(cached),
  );
}

/**
 * The connection behind a store's SQLite dialect, for statements run while a transaction holds
 * it (`directConnectionOf`). Runs a compiled statement as Kysely's own SQLite driver would and
 * answers in the same shape, synchronously: better-sqlite3 is synchronous anyway, and holding
 * the connection means no other user can be queued before it.
 */
export class HeldSqliteConnection {
  constructor(private readonly database: SqliteDatabase) {}

  execute<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.database.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return {
      insertId: lastInsertRowid != null ? BigInt(lastInsertRowid) : undefined,
      numAffectedRows: changes != null ? BigInt(changes) : undefined,
      rows: [],
    };
  }
}

/** The held connection of a Kysely made with `createSqliteDialect` (unless turned off); else undefined. */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely, whatever its tables
export function directConnectionOf(db: Kysely<any>): HeldSqliteConnection | undefined {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof SelfQueuingSqliteAdapter ? adapter.held : undefined;
}

const busyTimeoutOf = (tuning: SqliteTuning) => Math.max(0, Math.trunc(tuning.busyTimeoutMs ?? 5000));

export function applyPragmas(database: BetterSqlite3.Database, tuning: SqliteTuning = {}): void {
  const cacheSizeKb = cacheSizeKbOf(tuning);
  // The busy timeout first: switching to WAL needs a lock another process may hold.
  database.pragma(`busy_timeout = ${busyTimeoutOf(tuning)}`);
  // In-memory databases answer 'memory' and stay that way; that is fine.
  if (!database.memory) {
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${tuning.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    database.pragma(`wal_autocheckpoint = ${walAutocheckpointOf(tuning)}`);
  }
  database.pragma('foreign_keys = ON');
  database.pragma(`cache_size = -${cacheSizeKb}`);
  // Statement journals (a multi-row statement inside a transaction) and sorts stay in memory:
  // as files, they cost a temp file's writes on many commits (measured: ~850 writes, 2 MB,
  // in a 2,000-code dispatch) for data that never outlives its statement.
  database.pragma('temp_store = MEMORY');
}

/** Pages the log may hold before a commit copies them into the database file (see `SqliteTuning`). */
const walAutocheckpointOf = (tuning: SqliteTuning): number =>
  positiveWholeNumber(
    'store.walAutocheckpointPages',
    'pages',
    tuning.walAutocheckpointPages ?? DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  );

export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** The page cache in KiB: a positive integer (a negative `cache_size` means KiB to SQLite). */
const cacheSizeKbOf = (tuning: SqliteTuning): number =>
  positiveWholeNumber('store.cacheSizeKb', 'KiB', tuning.cacheSizeKb ?? DEFAULT_CACHE_SIZE_KB);

/** Both tunings go into a PRAGMA verbatim, so anything but a positive integer is refused by name. */
function positiveWholeNumber(field: string, unit: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(field, `expected a positive whole number of ${unit}, got ${String(value)}`);
  }
  return value;
}

/** SQLite's compiled-in default (`SQLITE_DEFAULT_CACHE_SIZE`), which better-sqlite3 overrides. */
export const DEFAULT_CACHE_SIZE_KB = 2000;

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  readonly #busyTimeoutMs: number;
  readonly #held: HeldSqliteConnection | undefined;

  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    busyTimeoutMs: number,
    held: HeldSqliteConnection | undefined,
  ) {
    super(config);
    this.#config = config;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#held = held;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#busyTimeoutMs);
  }

  override createAdapter(): DialectAdapter {
    return new SelfQueuingSqliteAdapter(this.#held);
  }
}

/**
 * SQLite as Kysely knows it, except that the driver queues users of its one connection
 * itself. Kysely puts a mutex in front of single-connection drivers whose waiters all wake on
 * every release and all but one wait again: with hundreds of lock jobs reading and committing
 * at once, that is quadratic (measured: ~40 ms of the mutex's own CPU and more in promise
 * jobs in a 2,000-code time-to-door run). Still an `SqliteAdapter` for everything else.
 */
class SelfQueuingSqliteAdapter extends SqliteAdapter {
  /** Carried here because the adapter is the one part of a dialect a Kysely instance exposes. */
  constructor(readonly held: HeldSqliteConnection | undefined) {
    super();
  }

  /** `true` only so that Kysely adds no mutex of its own; the driver is exclusive itself. */
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #busyTimeoutMs: number;
  #waiting: DatabaseConnection | undefined;

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0], busyTimeoutMs: number) {
    super(config);
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** One user of the connection at a time (a query, or a transaction from begin to end), in arrival order. */
  readonly #exclusive = new FifoMutex();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#exclusive.lock();
    try {
      const connection = await super.acquireConnection();
      this.#waiting ??= waitingConnection(connection, this.#busyTimeoutMs);
      return this.#waiting;
    } catch (error) {
      this.#exclusive.unlock();
      throw error;
    }
  }

  override async releaseConnection(): Promise<void> {
    this.#exclusive.unlock();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

const BUSY = /^SQLITE_BUSY/;

/**
 * A statement that finds another connection (process or thread) holding the write lock fails
 * at once with SQLITE_BUSY, having changed nothing; it is retried after a short timer, up to
 * the busy timeout. The event loop keeps serving everything else meanwhile (a webhook ack
 * waiting for the worker thread's commit does not freeze the other acks).
 */
function waitingConnection(connection: DatabaseConnection, timeoutMs: number): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery) {
      const started = Date.now();
      for (let pause = 1; ; pause = Math.min(pause * 2, 2)) {
        try {
          return await connection.executeQuery<R>(query);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'string' || !BUSY.test(code) || Date.now() - started >= timeoutMs) throw error;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

/**
 * Statements longer than this are not kept: the multi-row inserts of a large sync (thousands
 * of bound values) compile to programs of megabytes that a bulk load runs a few times, and
 * 256 of them would pin far more memory than the small statements the cache is for.
 */
const MAX_CACHED_SQL_LENGTH = 8 * 1024;

/** A `SqliteDatabase` whose `prepare` reuses compiled statements (LRU by SQL text). */
function cachingDatabase(database: BetterSqlite3.Database, size: number): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const hit = cache.get(sql);
      if (hit) {
        // Re-insert to mark as most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = database.prepare(sql) as unknown as SqliteStatement;
      if (size > 0 && sql.length <= MAX_CACHED_SQL_LENGTH) {
        cache.set(sql, statement);
        if (cache.size > size) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      return statement;
    },
  };
}
