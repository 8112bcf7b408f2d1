import type {
  AccessCode,
  Booking,
  BookingRecord,
  BookingState,
  LockAssignment,
  Property,
  Unit,
  UnitMapping,
} from '../domain/schemas.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface NewJob {
  /** 'lock' | 'writeback' | 'sync.bookings' | 'sync.units' | … */
  kind: string;
  propertyId: string;
  payload: JsonObject;
  /** Not claimable before this instant (default: now). */
  runAfter?: Date;
  /**
   * Among due jobs, lower runs first (default 0); equal ones go by `runAfter`, then by age.
   * The engine gives a lock job the minute its code's window opens, so a backlog of codes
   * reaches the doors of the soonest guests first, and a booking made at the last minute is
   * not queued behind months of future stays.
   */
  priority?: number;
  /**
   * At most one job per key is queued or running at any time, across every process sharing
   * the store. Enqueueing while that job is *queued* returns it (its `runAfter` moves to the
   * earlier of the two). While it is *running*, enqueueing returns it too and asks for one
   * more run (`rerunAfter`): when the run completes or fails, the job goes back to the queue
   * instead of ending, so a change that arrives mid-run is never lost, and two runs of the
   * same key never overlap (two workers can never, say, add the same lock code at once).
   */
  dedupeKey?: string;
}

export interface Job {
  id: string;
  kind: string;
  propertyId: string;
  payload: JsonObject;
  status: JobStatus;
  runAfter: Date;
  /** See `NewJob.priority`; a de-duplicated enqueue keeps the lower (more urgent) value. */
  priority: number;
  dedupeKey: string | null;
  /** Claims so far (a reclaimed expired lease counts as one more); back to 0 for a rerun. */
  attempts: number;
  /**
   * Set when the same `dedupeKey` was enqueued while this job ran: finishing the run puts the
   * job back in the queue, due at this instant (or at its retry time when the run failed).
   */
  rerunAfter: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  now: Date;
  kinds?: string[];
  propertyId?: string;
}

export interface WebhookLog {
  id?: string;
  propertyId: string;
  provider: string;
  receivedAt: Date;
  /** HTTP status answered. */
  status: number;
  /** Raw body as received, with secret-named fields redacted (the auth token is a query param, never logged). */
  payload: string;
  events: string[];
  error: string | null;
}

export interface WriteBackLog {
  id?: string;
  propertyId: string;
  bookingId: string;
  action: 'upsert' | 'delete';
  at: Date;
  ok: boolean;
  /** Masked passcode (last digit at most) and window; never the full passcode. */
  detail: string;
  ref: string | null;
  error: string | null;
}

export interface QuarantineEntry {
  id?: string;
  propertyId: string;
  source: string;
  recordId: string | null;
  reason: string;
  raw: string;
  at: Date;
}

export interface ListBookingsOptions {
  departingOnOrAfter?: string;
  bookingIds?: string[];
  /**
   * Keyset paging: at most `limit` bookings, in booking-id order, after `afterBookingId`
   * (in the order the store sorts booking ids).
   */
  afterBookingId?: string;
  limit?: number;
}

/** What a walk over a property's bookings needs to tell which exist: no PMS payload, no state. */
export type BookingSummary = Pick<BookingRecord, 'bookingId' | 'status' | 'arrivalDate' | 'departureDate'>;

export interface AccessCodeQuery {
  /** These codes by id (an empty list matches nothing); with `bookingIds`, codes in both. */
  ids?: string[];
  propertyId?: string;
  bookingId?: string;
  /** Codes of any of these bookings (an empty list matches nothing). */
  bookingIds?: string[];
  /** Codes on these locks, whatever property they belong to (locks can be shared). */
  lockIds?: string[];
  /** Default false: revoked codes are history and usually not wanted. */
  includeRevoked?: boolean;
}

/**
 * Everything the engine decides, durably. Implementations: the in-memory store in
 * `@brafa/core/testing` and the SQL store package; both pass `describeStoreConformance`.
 */
export interface Store {
  /**
   * True when several worker processes usually share this store (PostgreSQL). The engine then
   * holds a store lease around each lock operation by default, so no two workers operate one
   * lock at once (see `EngineOptions.lockLeases`).
   */
  readonly sharedByWorkers?: boolean;

  // configuration
  upsertProperty(property: Property): Promise<void>;
  getProperty(propertyId: string): Promise<Property | undefined>;
  listProperties(): Promise<Property[]>;
  replaceUnits(propertyId: string, units: Unit[]): Promise<void>;
  listUnits(propertyId: string): Promise<Unit[]>;
  replaceUnitMappings(propertyId: string, mappings: UnitMapping[]): Promise<void>;
  listUnitMappings(propertyId: string): Promise<UnitMapping[]>;
  replaceLockAssignments(propertyId: string, assignments: LockAssignment[]): Promise<void>;
  listLockAssignments(propertyId: string): Promise<LockAssignment[]>;

  // bookings
  /**
   * Insert or update by (propertyId, bookingId). Only PMS fields are written: the
   * `BookingState` of an existing booking (passcode attempt, write-back state) is kept.
   */
  upsertBookings(bookings: Booking[], now: Date): Promise<void>;
  getBooking(propertyId: string, bookingId: string): Promise<BookingRecord | undefined>;
  /**
   * Bookings of a property, optionally only those departing on or after a local date, or only
   * those with these ids (an empty list matches nothing).
   */
  listBookings(propertyId: string, options?: ListBookingsOptions): Promise<BookingRecord[]>;
  /**
   * The same bookings as `listBookings` with the same options, in the same order, each as a
   * `BookingSummary`: a sync's check for bookings the PMS stopped returning reads every booking
   * of its window, and needs only these four fields of each (the full rows of a few thousand
   * bookings are most of what it read). `bookingIds` is not accepted.
   */
  listBookingSummaries(
    propertyId: string,
    options?: Omit<ListBookingsOptions, 'bookingIds'>,
  ): Promise<BookingSummary[]>;
  /**
   * Deletes up to `limit` of the property's bookings that departed before `departedBefore`
   * (a `YYYY-MM-DD` date; earliest departures first), whose access codes are all revoked (or
   * that have none) and that the PMS holds nothing of ours for (no `writeBackKey`, no
   * `writeBackError`), with those codes; returns how many bookings went. Any other booking
   * stays: a code still pending, on a lock, on its way off or failed, or a PMS token still to
   * take back, is unfinished business or needs an operator. Without it every stay ever synced
   * stays in the store, with its guest's name.
   */
  pruneEndedBookings(propertyId: string, options: { departedBefore: string; limit: number }): Promise<number>;
  updateBookingState(
    propertyId: string,
    bookingId: string,
    patch: Partial<Omit<BookingState, 'updatedAt'>>,
    now: Date,
  ): Promise<void>;

  // access codes
  getAccessCode(id: string): Promise<AccessCode | undefined>;
  listAccessCodes(query: AccessCodeQuery): Promise<AccessCode[]>;
  /** Insert or replace whole rows by id. */
  saveAccessCodes(codes: AccessCode[]): Promise<void>;
  /**
   * Insert rows whose id is not taken yet; a row whose id exists is left exactly as it is.
   * Returns the ids that were already taken (atomic per row, also against a concurrent insert).
   */
  insertAccessCodes(codes: AccessCode[]): Promise<string[]>;
  /**
   * Patch one row. With `expectedRevision`, the patch applies only if the row's revision
   * still equals it (compare-and-set); returns whether it applied.
   */
  updateAccessCode(
    id: string,
    patch: Partial<Omit<AccessCode, 'id'>>,
    options?: { expectedRevision?: number },
  ): Promise<boolean>;

  // job queue
  /** Returns one id per input job, in order (an existing id when de-duplicated). */
  enqueueJobs(jobs: NewJob[], now: Date): Promise<string[]>;
  /**
   * Atomically claim up to `limit` jobs that are queued and due (`runAfter <= now`), or
   * running with an expired lease: lowest `priority` first, then oldest `runAfter`, then
   * oldest job. Claimed jobs become `running`
   * with this owner and a lease until `now + leaseMs`; `attempts` is incremented.
   */
  claimJobs(options: ClaimOptions): Promise<Job[]>;
  /**
   * Marks done, or, when a rerun was asked for meanwhile (`rerunAfter`), queues the job again
   * for then with `attempts` back to 0. False when the lease was lost to another owner
   * (nothing changes).
   */
  completeJob(id: string, owner: string, now: Date): Promise<boolean>;
  /**
   * Moves a running job's lease to `until` while `owner` still holds it, so a job that waits
   * long for its lock is not reclaimed by another worker meanwhile. False when the lease was
   * lost (or the job is no longer running).
   */
  renewJobLease(id: string, owner: string, until: Date): Promise<boolean>;
  /**
   * Records the error. With `retryAt` the job is queued again for then (a pending rerun is
   * served by that retry); with null it is dead-lettered, unless a rerun was asked for: then
   * it is queued for `rerunAfter` with `attempts` back to 0 (new work, a fresh budget).
   * False when the lease was lost.
   */
  failJob(
    id: string,
    owner: string,
    failure: { error: string; retryAt: Date | null },
    now: Date,
  ): Promise<boolean>;
  getJob(id: string): Promise<Job | undefined>;
  listJobs(options?: { status?: JobStatus; propertyId?: string; limit?: number }): Promise<Job[]>;
  countJobs(options?: { propertyId?: string }): Promise<Record<JobStatus, number>>;
  /**
   * Deletes up to `limit` jobs that ended `done` before `finishedBefore` (their `updatedAt`),
   * lowest id first, and returns how many went. Every lock operation leaves a done job, so
   * without this the queue grows for as long as a deployment runs. Dead jobs are kept: they
   * wait for an operator. Queued and running jobs are never touched.
   */
  pruneJobs(options: { finishedBefore: Date; limit: number }): Promise<number>;

  // audit
  appendWebhookLog(entry: WebhookLog): Promise<void>;
  listWebhookLogs(options?: { propertyId?: string; limit?: number }): Promise<WebhookLog[]>;
  appendWriteBackLogs(entries: WriteBackLog[]): Promise<void>;
  listWriteBackLogs(options?: {
    propertyId?: string;
    bookingId?: string;
    limit?: number;
  }): Promise<WriteBackLog[]>;
  appendQuarantine(entries: QuarantineEntry[]): Promise<void>;
  listQuarantine(options?: { propertyId?: string; limit?: number }): Promise<QuarantineEntry[]>;
  /**
   * Deletes webhook, write-back and quarantine log rows written before `before`: of each
   * table's `limit` oldest rows, those older than the cutoff. Returns how many went in all.
   * A log row is appended when it happens, so the oldest rows come first and a call reads at
   * most `limit` rows per table however long the logs are. Without it the logs grow with every
   * webhook, write-back and sync of a malformed record, and keep guests' data for ever.
   */
  pruneLogs(options: { before: Date; limit: number }): Promise<number>;

  // leases: mutual exclusion across workers and machines, for work that must never overlap
  /**
   * Take (or renew) the lease `key` for `owner` until `until`. Succeeds when the lease is free,
   * expired (`expiresAt <= now`) or already held by `owner`; atomic across processes.
   */
  acquireLease(key: string, owner: string, until: Date, now: Date): Promise<boolean>;
  /** Give the lease back; a no-op unless `owner` holds it. */
  releaseLease(key: string, owner: string): Promise<void>;

  // checkpoints (per-page sync progress, unit sync times…)
  getCheckpoint(key: string): Promise<string | undefined>;
  setCheckpoint(key: string, value: string): Promise<void>;

  /**
   * Runs `fn` atomically against a store bound to one transaction. Nested calls on the
   * transactional store run inside the same transaction.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
