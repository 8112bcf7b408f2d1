import type {
  AccessCode,
  AccessCodeQuery,
  Booking,
  BookingRecord,
  BookingState,
  ClaimOptions,
  Job,
  JobStatus,
  ListBookingsOptions,
  LockAssignment,
  NewJob,
  Property,
  QuarantineEntry,
  Store,
  Unit,
  UnitMapping,
  WebhookLog,
  WriteBackLog,
} from '@brafa/core';
import type { Kysely } from 'kysely';
import { detectDialect, type SqlDialect } from '../dialect/detect.js';
import { directConnectionOf, type HeldSqliteConnection } from '../dialect/sqlite.js';
import type { BrafaDatabase } from '../schema/database.js';
import * as codes from './access-codes.js';
import * as audit from './audit.js';
import * as bookings from './bookings.js';
import * as config from './configuration.js';
import type { HeldTransaction, StoreContext } from './context.js';
import * as jobs from './jobs.js';
import * as leases from './leases.js';

export interface KyselyStoreOptions {
  /** Which SQL to speak; detected from the Kysely adapter when omitted. */
  dialect?: SqlDialect;
  /**
   * Bind parameters allowed per statement (default: 32,766 on SQLite, the limit of the
   * SQLite bundled with better-sqlite3; 65,535 on PostgreSQL). Lower it for an SQLite built
   * with a smaller SQLITE_MAX_VARIABLE_NUMBER (e.g. 999).
   */
  maxParameters?: number;
  /**
   * What `close()` does. Default: nothing — the Kysely instance belongs to the caller, who
   * destroys it. `openStore` passes a function that destroys what it opened.
   */
  onClose?: () => Promise<void>;
}

/**
 * The core `Store` over a Kysely instance (SQLite or PostgreSQL) migrated with
 * `migrateToLatest`. The instance may be the caller's own (its plugins are ignored, so a
 * `CamelCasePlugin` cannot rename our columns); with a `Transaction`, every call joins it.
 */
export function createKyselyStore(db: Kysely<BrafaDatabase>, options: KyselyStoreOptions = {}): Store {
  const dialect = detectDialect(db, options.dialect);
  const maxParameters = options.maxParameters ?? (dialect === 'postgres' ? 65_535 : 32_766);
  const held = dialect === 'sqlite' ? directConnectionOf(db) : undefined;
  return new KyselyStore(db.withoutPlugins(), dialect, maxParameters, options.onClose, held);
}

class KyselyStore implements Store {
  private readonly ctx: StoreContext;
  /** PostgreSQL is the store for several workers; SQLite is one process's (see `Store`). */
  readonly sharedByWorkers: boolean;

  constructor(
    private readonly db: Kysely<BrafaDatabase>,
    private readonly dialect: SqlDialect,
    private readonly maxParameters: number,
    private readonly onClose: (() => Promise<void>) | undefined,
    /** The SQLite connection a transaction of this store may run its statements on directly. */
    private readonly connection: HeldSqliteConnection | undefined,
    held?: HeldTransaction,
  ) {
    this.sharedByWorkers = dialect === 'postgres';
    this.ctx = {
      db,
      dialect,
      maxParameters,
      atomic: (fn) => (db.isTransaction ? fn(db) : db.transaction().execute(fn)),
      ...(held ? { held } : {}),
    };
  }

  upsertProperty = (property: Property) => config.upsertProperty(this.ctx, property);
  getProperty = (propertyId: string) => config.getProperty(this.ctx, propertyId);
  listProperties = () => config.listProperties(this.ctx);
  replaceUnits = (propertyId: string, units: Unit[]) => config.replaceUnits(this.ctx, propertyId, units);
  listUnits = (propertyId: string) => config.listUnits(this.ctx, propertyId);
  replaceUnitMappings = (propertyId: string, mappings: UnitMapping[]) =>
    config.replaceUnitMappings(this.ctx, propertyId, mappings);
  listUnitMappings = (propertyId: string) => config.listUnitMappings(this.ctx, propertyId);
  replaceLockAssignments = (propertyId: string, assignments: LockAssignment[]) =>
    config.replaceLockAssignments(this.ctx, propertyId, assignments);
  listLockAssignments = (propertyId: string) => config.listLockAssignments(this.ctx, propertyId);

  upsertBookings = (list: Booking[], now: Date) => bookings.upsertBookings(this.ctx, list, now);
  getBooking = (propertyId: string, bookingId: string): Promise<BookingRecord | undefined> =>
    bookings.getBooking(this.ctx, propertyId, bookingId);
  listBookings = (propertyId: string, options?: ListBookingsOptions) =>
    bookings.listBookings(this.ctx, propertyId, options);
  listBookingSummaries = (propertyId: string, options?: Omit<ListBookingsOptions, 'bookingIds'>) =>
    bookings.listBookingSummaries(this.ctx, propertyId, options);
  pruneEndedBookings = (propertyId: string, options: { departedBefore: string; limit: number }) =>
    bookings.pruneEndedBookings(this.ctx, propertyId, options);
  updateBookingState = (
    propertyId: string,
    bookingId: string,
    patch: Partial<Omit<BookingState, 'updatedAt'>>,
    now: Date,
  ) => bookings.updateBookingState(this.ctx, propertyId, bookingId, patch, now);

  getAccessCode = (id: string) => codes.getAccessCode(this.ctx, id);
  listAccessCodes = (query: AccessCodeQuery) => codes.listAccessCodes(this.ctx, query);
  saveAccessCodes = (list: AccessCode[]) => codes.saveAccessCodes(this.ctx, list);
  insertAccessCodes = (list: AccessCode[]) => codes.insertAccessCodes(this.ctx, list);
  updateAccessCode = (
    id: string,
    patch: Partial<Omit<AccessCode, 'id'>>,
    options?: { expectedRevision?: number },
  ) => codes.updateAccessCode(this.ctx, id, patch, options);

  enqueueJobs = (list: NewJob[], now: Date) => jobs.enqueueJobs(this.ctx, list, now);
  claimJobs = (options: ClaimOptions): Promise<Job[]> => jobs.claimJobs(this.ctx, options);
  completeJob = (id: string, owner: string, now: Date) => jobs.completeJob(this.ctx, id, owner, now);
  renewJobLease = (id: string, owner: string, until: Date) => jobs.renewJobLease(this.ctx, id, owner, until);
  failJob = (id: string, owner: string, failure: { error: string; retryAt: Date | null }, now: Date) =>
    jobs.failJob(this.ctx, id, owner, failure, now);
  getJob = (id: string) => jobs.getJob(this.ctx, id);
  listJobs = (options?: { status?: JobStatus; propertyId?: string; limit?: number }) =>
    jobs.listJobs(this.ctx, options);
  countJobs = (options?: { propertyId?: string }) => jobs.countJobs(this.ctx, options);
  pruneJobs = (options: { finishedBefore: Date; limit: number }) => jobs.pruneJobs(this.ctx, options);

  appendWebhookLog = (entry: WebhookLog) => audit.appendWebhookLog(this.ctx, entry);
  listWebhookLogs = (options?: { propertyId?: string; limit?: number }) =>
    audit.listWebhookLogs(this.ctx, options);
  appendWriteBackLogs = (entries: WriteBackLog[]) => audit.appendWriteBackLogs(this.ctx, entries);
  listWriteBackLogs = (options?: { propertyId?: string; bookingId?: string; limit?: number }) =>
    audit.listWriteBackLogs(this.ctx, options);
  appendQuarantine = (entries: QuarantineEntry[]) => audit.appendQuarantine(this.ctx, entries);
  listQuarantine = (options?: { propertyId?: string; limit?: number }) =>
    audit.listQuarantine(this.ctx, options);
  pruneLogs = (options: { before: Date; limit: number }) => audit.pruneLogs(this.ctx, options);

  acquireLease = (key: string, owner: string, until: Date, now: Date) =>
    leases.acquireLease(this.ctx, key, owner, until, now);
  releaseLease = (key: string, owner: string) => leases.releaseLease(this.ctx, key, owner);

  getCheckpoint = (key: string) => audit.getCheckpoint(this.ctx, key);
  setCheckpoint = (key: string, value: string) => audit.setCheckpoint(this.ctx, key, value);

  /**
   * One database transaction; the store handed to `fn` is bound to it, and its own
   * `transaction` runs inline. On SQLite (one connection) use only `tx` inside `fn`: calling
   * the outer store there would wait for the transaction that is waiting for it.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute(async (trx) => {
      // While `fn` runs, this transaction holds the connection (no other user is let in
      // between begin and commit); work `fn` leaves behind afterwards goes through Kysely,
      // which refuses it because the transaction is over.
      const held = this.connection ? { connection: this.connection, db: trx, open: true } : undefined;
      try {
        return await fn(new KyselyStore(trx, this.dialect, this.maxParameters, undefined, undefined, held));
      } finally {
        if (held) held.open = false;
      }
    });
  }

  async close(): Promise<void> {
    if (!this.db.isTransaction) await this.onClose?.();
  }
}
