import {
  type AccessCode,
  type Booking,
  type BookingRecord,
  type BookingState,
  initialBookingState,
  type LockAssignment,
  type Property,
  type Unit,
  type UnitMapping,
} from '../domain/schemas.js';
import { assertJobPriority } from '../ports/job-priority.js';
import type {
  AccessCodeQuery,
  BookingSummary,
  ClaimOptions,
  Job,
  JobStatus,
  ListBookingsOptions,
  NewJob,
  QuarantineEntry,
  Store,
  WebhookLog,
  WriteBackLog,
} from '../ports/store.js';

interface State {
  properties: Map<string, Property>;
  units: Map<string, Unit[]>;
  mappings: Map<string, UnitMapping[]>;
  assignments: Map<string, LockAssignment[]>;
  bookings: Map<string, BookingRecord>;
  codes: Map<string, AccessCode>;
  jobs: Map<string, Job>;
  webhookLogs: WebhookLog[];
  writeBackLogs: WriteBackLog[];
  quarantine: QuarantineEntry[];
  checkpoints: Map<string, string>;
  leases: Map<string, { owner: string; expiresAt: Date }>;
  nextId: number;
}

const emptyState = (): State => ({
  properties: new Map(),
  units: new Map(),
  mappings: new Map(),
  assignments: new Map(),
  bookings: new Map(),
  codes: new Map(),
  jobs: new Map(),
  webhookLogs: [],
  writeBackLogs: [],
  quarantine: [],
  checkpoints: new Map(),
  leases: new Map(),
  nextId: 1,
});

const clone = <T>(value: T): T => structuredClone(value);

/**
 * What a transaction rolls back to. Stored values are never changed in place — every write
 * puts a new object (or array) in its map — so copying the maps and lists is a full snapshot.
 * (A deep copy of the whole state per transaction made every test with thousands of rows
 * quadratic: 2,500 bookings took 20 s, nearly all of it in `structuredClone`.)
 */
const snapshotOf = (state: State): State => ({
  properties: new Map(state.properties),
  units: new Map(state.units),
  mappings: new Map(state.mappings),
  assignments: new Map(state.assignments),
  bookings: new Map(state.bookings),
  codes: new Map(state.codes),
  jobs: new Map(state.jobs),
  webhookLogs: state.webhookLogs.slice(),
  writeBackLogs: state.writeBackLogs.slice(),
  quarantine: state.quarantine.slice(),
  checkpoints: new Map(state.checkpoints),
  leases: new Map(state.leases),
  nextId: state.nextId,
});
const bookingKey = (propertyId: string, bookingId: string) => `${propertyId}\u0000${bookingId}`;

/** Kept for tests written against the first name. */
export const DEFAULT_BOOKING_STATE = initialBookingState;

/**
 * A complete `Store` in memory: the reference implementation of the port (it passes the same
 * conformance suite as the SQL store) and the store of choice for unit tests.
 */
export class MemoryStore implements Store {
  private state: State = emptyState();
  private txChain: Promise<unknown> = Promise.resolve();

  async upsertProperty(property: Property): Promise<void> {
    this.state.properties.set(property.id, clone(property));
  }
  async getProperty(propertyId: string): Promise<Property | undefined> {
    const p = this.state.properties.get(propertyId);
    return p && clone(p);
  }
  async listProperties(): Promise<Property[]> {
    return [...this.state.properties.values()].map(clone).sort((a, b) => a.id.localeCompare(b.id));
  }
  async replaceUnits(propertyId: string, units: Unit[]): Promise<void> {
    this.state.units.set(propertyId, clone(units));
  }
  async listUnits(propertyId: string): Promise<Unit[]> {
    return clone(this.state.units.get(propertyId) ?? []);
  }
  async replaceUnitMappings(propertyId: string, mappings: UnitMapping[]): Promise<void> {
    this.state.mappings.set(propertyId, clone(mappings));
  }
  async listUnitMappings(propertyId: string): Promise<UnitMapping[]> {
    return clone(this.state.mappings.get(propertyId) ?? []);
  }
  async replaceLockAssignments(propertyId: string, assignments: LockAssignment[]): Promise<void> {
    this.state.assignments.set(propertyId, clone(assignments));
  }
  async listLockAssignments(propertyId: string): Promise<LockAssignment[]> {
    return clone(this.state.assignments.get(propertyId) ?? []);
  }

  async upsertBookings(bookings: Booking[], now: Date): Promise<void> {
    for (const booking of bookings) {
      const key = bookingKey(booking.propertyId, booking.bookingId);
      const before = this.state.bookings.get(key);
      const state: BookingState = before
        ? {
            passcodeAttempt: before.passcodeAttempt,
            writeBackKey: before.writeBackKey,
            writeBackRef: before.writeBackRef,
            writeBackError: before.writeBackError,
            issue: before.issue,
            updatedAt: now,
          }
        : DEFAULT_BOOKING_STATE(now);
      this.state.bookings.set(key, clone({ ...booking, ...state }));
    }
  }
  async getBooking(propertyId: string, bookingId: string): Promise<BookingRecord | undefined> {
    const b = this.state.bookings.get(bookingKey(propertyId, bookingId));
    return b && clone(b);
  }
  async listBookings(propertyId: string, options: ListBookingsOptions = {}): Promise<BookingRecord[]> {
    if (options.bookingIds && (options.limit !== undefined || options.afterBookingId !== undefined))
      throw new RangeError('listBookings: bookingIds cannot be combined with afterBookingId or limit');
    const ids = options.bookingIds ? new Set(options.bookingIds) : undefined;
    const after = options.afterBookingId;
    const out: BookingRecord[] = [];
    for (const b of this.state.bookings.values()) {
      if (b.propertyId !== propertyId) continue;
      if (ids && !ids.has(b.bookingId)) continue;
      if (after !== undefined && b.bookingId.localeCompare(after) <= 0) continue;
      if (options.departingOnOrAfter && b.departureDate < options.departingOnOrAfter) continue;
      out.push(clone(b));
    }
    out.sort((a, b) => a.bookingId.localeCompare(b.bookingId));
    return options.limit === undefined ? out : out.slice(0, options.limit);
  }
  async listBookingSummaries(
    propertyId: string,
    options: Omit<ListBookingsOptions, 'bookingIds'> = {},
  ): Promise<BookingSummary[]> {
    return (await this.listBookings(propertyId, { ...options, bookingIds: undefined })).map(
      ({ bookingId, status, arrivalDate, departureDate }) => ({
        bookingId,
        status,
        arrivalDate,
        departureDate,
      }),
    );
  }
  async pruneEndedBookings(
    propertyId: string,
    options: { departedBefore: string; limit: number },
  ): Promise<number> {
    const codesOf = new Map<string, AccessCode[]>();
    for (const c of this.state.codes.values()) {
      const key = bookingKey(c.propertyId, c.bookingId);
      codesOf.set(key, [...(codesOf.get(key) ?? []), c]);
    }
    const ended = [...this.state.bookings.values()]
      .filter(
        (b) =>
          b.propertyId === propertyId &&
          b.departureDate < options.departedBefore &&
          b.writeBackKey === null &&
          b.writeBackError === null &&
          (codesOf.get(bookingKey(b.propertyId, b.bookingId)) ?? []).every((c) => c.state === 'revoked'),
      )
      .sort((a, b) => a.departureDate.localeCompare(b.departureDate))
      .slice(0, Math.max(0, Math.floor(options.limit)));
    for (const b of ended) {
      const key = bookingKey(b.propertyId, b.bookingId);
      for (const c of codesOf.get(key) ?? []) this.state.codes.delete(c.id);
      this.state.bookings.delete(key);
    }
    return ended.length;
  }
  async updateBookingState(
    propertyId: string,
    bookingId: string,
    patch: Partial<Omit<BookingState, 'updatedAt'>>,
    now: Date,
  ): Promise<void> {
    const key = bookingKey(propertyId, bookingId);
    const before = this.state.bookings.get(key);
    if (!before) return;
    this.state.bookings.set(key, { ...before, ...clone(patch), updatedAt: now });
  }

  async getAccessCode(id: string): Promise<AccessCode | undefined> {
    const c = this.state.codes.get(id);
    return c && clone(c);
  }
  async listAccessCodes(query: AccessCodeQuery): Promise<AccessCode[]> {
    const ids = query.ids ? new Set(query.ids) : undefined;
    const locks = query.lockIds ? new Set(query.lockIds) : undefined;
    const bookings = query.bookingIds ? new Set(query.bookingIds) : undefined;
    const out: AccessCode[] = [];
    for (const c of this.state.codes.values()) {
      if (ids && !ids.has(c.id)) continue;
      if (query.propertyId !== undefined && c.propertyId !== query.propertyId) continue;
      if (query.bookingId !== undefined && c.bookingId !== query.bookingId) continue;
      if (bookings && !bookings.has(c.bookingId)) continue;
      if (locks && !locks.has(c.lockId)) continue;
      if (!query.includeRevoked && c.state === 'revoked') continue;
      out.push(clone(c));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }
  async saveAccessCodes(codes: AccessCode[]): Promise<void> {
    for (const c of codes) this.state.codes.set(c.id, clone(c));
  }
  async insertAccessCodes(codes: AccessCode[]): Promise<string[]> {
    const taken: string[] = [];
    for (const c of codes) {
      if (this.state.codes.has(c.id)) taken.push(c.id);
      else this.state.codes.set(c.id, clone(c));
    }
    return taken;
  }
  async updateAccessCode(
    id: string,
    patch: Partial<Omit<AccessCode, 'id'>>,
    options: { expectedRevision?: number } = {},
  ): Promise<boolean> {
    const before = this.state.codes.get(id);
    if (!before) return false;
    if (options.expectedRevision !== undefined && before.revision !== options.expectedRevision) return false;
    this.state.codes.set(id, { ...before, ...clone(patch) });
    return true;
  }

  async enqueueJobs(jobs: NewJob[], now: Date): Promise<string[]> {
    for (const job of jobs) assertJobPriority(job.priority);
    const ids: string[] = [];
    for (const job of jobs) {
      const runAfter = job.runAfter ?? now;
      const existing = job.dedupeKey ? this.activeJobByKey(job.dedupeKey) : undefined;
      const priority = job.priority ?? 0;
      if (existing) {
        const merged: Job = { ...existing, priority: Math.min(existing.priority, priority) };
        if (existing.status === 'queued') {
          if (runAfter < existing.runAfter) merged.runAfter = new Date(runAfter);
        } else if (!existing.rerunAfter || runAfter < existing.rerunAfter) {
          merged.rerunAfter = new Date(runAfter);
        }
        this.state.jobs.set(existing.id, merged);
        ids.push(existing.id);
        continue;
      }
      const id = String(this.state.nextId++);
      this.state.jobs.set(id, {
        id,
        kind: job.kind,
        propertyId: job.propertyId,
        payload: clone(job.payload),
        status: 'queued',
        runAfter: new Date(runAfter),
        priority,
        dedupeKey: job.dedupeKey ?? null,
        attempts: 0,
        rerunAfter: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      });
      ids.push(id);
    }
    return ids;
  }
  /** The queued or running job with this dedupe key (at most one exists). */
  private activeJobByKey(dedupeKey: string): Job | undefined {
    for (const j of this.state.jobs.values())
      if (j.dedupeKey === dedupeKey && (j.status === 'queued' || j.status === 'running')) return j;
    return undefined;
  }

  async claimJobs(options: ClaimOptions): Promise<Job[]> {
    const now = options.now.getTime();
    const due = [...this.state.jobs.values()]
      .filter(
        (j) =>
          (!options.kinds || options.kinds.includes(j.kind)) &&
          (!options.propertyId || j.propertyId === options.propertyId) &&
          ((j.status === 'queued' && j.runAfter.getTime() <= now) ||
            (j.status === 'running' && j.leaseExpiresAt !== null && j.leaseExpiresAt.getTime() <= now)),
      )
      .sort(
        (a, b) =>
          a.priority - b.priority ||
          a.runAfter.getTime() - b.runAfter.getTime() ||
          Number(a.id) - Number(b.id),
      )
      .slice(0, options.limit);
    return due.map((j) => {
      const claimed: Job = {
        ...j,
        status: 'running',
        leaseOwner: options.owner,
        leaseExpiresAt: new Date(now + options.leaseMs),
        attempts: j.attempts + 1,
        updatedAt: options.now,
      };
      this.state.jobs.set(j.id, claimed);
      return clone(claimed);
    });
  }
  async completeJob(id: string, owner: string, now: Date): Promise<boolean> {
    const j = this.state.jobs.get(id);
    if (j?.status !== 'running' || j.leaseOwner !== owner) return false;
    const rerun = j.rerunAfter;
    this.state.jobs.set(id, {
      ...j,
      status: rerun ? 'queued' : 'done',
      runAfter: rerun ?? j.runAfter,
      attempts: rerun ? 0 : j.attempts,
      rerunAfter: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: now,
    });
    return true;
  }
  async pruneJobs(options: { finishedBefore: Date; limit: number }): Promise<number> {
    const before = options.finishedBefore.getTime();
    // Map iteration follows insertion, which is id order here (ids are handed out ascending).
    const gone: string[] = [];
    for (const [id, j] of this.state.jobs) {
      if (gone.length >= options.limit) break;
      if (j.status === 'done' && j.updatedAt.getTime() < before) gone.push(id);
    }
    for (const id of gone) this.state.jobs.delete(id);
    return gone.length;
  }
  async pruneLogs(options: { before: Date; limit: number }): Promise<number> {
    const before = options.before.getTime();
    const limit = Math.max(0, Math.floor(options.limit));
    // Appended in order, so each array's head holds its oldest rows (as the SQL stores' ids do).
    const prune = <T>(rows: T[], at: (row: T) => Date): T[] => {
      const head = rows.slice(0, limit).filter((r) => at(r).getTime() >= before);
      return [...head, ...rows.slice(limit)];
    };
    const s = this.state;
    const size = s.webhookLogs.length + s.writeBackLogs.length + s.quarantine.length;
    s.webhookLogs = prune(s.webhookLogs, (r) => r.receivedAt);
    s.writeBackLogs = prune(s.writeBackLogs, (r) => r.at);
    s.quarantine = prune(s.quarantine, (r) => r.at);
    return size - (s.webhookLogs.length + s.writeBackLogs.length + s.quarantine.length);
  }
  async renewJobLease(id: string, owner: string, until: Date): Promise<boolean> {
    const j = this.state.jobs.get(id);
    if (j?.status !== 'running' || j.leaseOwner !== owner) return false;
    this.state.jobs.set(id, { ...j, leaseExpiresAt: new Date(until) });
    return true;
  }
  async failJob(
    id: string,
    owner: string,
    failure: { error: string; retryAt: Date | null },
    now: Date,
  ): Promise<boolean> {
    const j = this.state.jobs.get(id);
    if (j?.status !== 'running' || j.leaseOwner !== owner) return false;
    const rerun = failure.retryAt ? null : j.rerunAfter;
    this.state.jobs.set(id, {
      ...j,
      status: failure.retryAt || rerun ? 'queued' : 'dead',
      runAfter: failure.retryAt ?? rerun ?? j.runAfter,
      attempts: rerun ? 0 : j.attempts,
      rerunAfter: null,
      lastError: failure.error,
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: now,
    });
    return true;
  }
  async getJob(id: string): Promise<Job | undefined> {
    const j = this.state.jobs.get(id);
    return j && clone(j);
  }
  async listJobs(options: { status?: JobStatus; propertyId?: string; limit?: number } = {}): Promise<Job[]> {
    return [...this.state.jobs.values()]
      .filter(
        (j) =>
          (!options.status || j.status === options.status) &&
          (!options.propertyId || j.propertyId === options.propertyId),
      )
      .sort((a, b) => Number(a.id) - Number(b.id))
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY)
      .map(clone);
  }
  async countJobs(options: { propertyId?: string } = {}): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 };
    for (const j of this.state.jobs.values())
      if (!options.propertyId || j.propertyId === options.propertyId) counts[j.status]++;
    return counts;
  }

  async appendWebhookLog(entry: WebhookLog): Promise<void> {
    this.state.webhookLogs.push(clone({ ...entry, id: String(this.state.nextId++) }));
  }
  async listWebhookLogs(options: { propertyId?: string; limit?: number } = {}): Promise<WebhookLog[]> {
    return newestFirst(
      this.state.webhookLogs.filter((l) => !options.propertyId || l.propertyId === options.propertyId),
      options.limit,
    );
  }
  async appendWriteBackLogs(entries: WriteBackLog[]): Promise<void> {
    for (const e of entries) this.state.writeBackLogs.push(clone({ ...e, id: String(this.state.nextId++) }));
  }
  async listWriteBackLogs(
    options: { propertyId?: string; bookingId?: string; limit?: number } = {},
  ): Promise<WriteBackLog[]> {
    return newestFirst(
      this.state.writeBackLogs.filter(
        (l) =>
          (!options.propertyId || l.propertyId === options.propertyId) &&
          (!options.bookingId || l.bookingId === options.bookingId),
      ),
      options.limit,
    );
  }
  async appendQuarantine(entries: QuarantineEntry[]): Promise<void> {
    for (const e of entries) this.state.quarantine.push(clone({ ...e, id: String(this.state.nextId++) }));
  }
  async listQuarantine(options: { propertyId?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
    return newestFirst(
      this.state.quarantine.filter((q) => !options.propertyId || q.propertyId === options.propertyId),
      options.limit,
    );
  }

  async acquireLease(key: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const held = this.state.leases.get(key);
    if (held && held.owner !== owner && held.expiresAt.getTime() > now.getTime()) return false;
    this.state.leases.set(key, { owner, expiresAt: new Date(until) });
    return true;
  }
  async releaseLease(key: string, owner: string): Promise<void> {
    if (this.state.leases.get(key)?.owner === owner) this.state.leases.delete(key);
  }

  async getCheckpoint(key: string): Promise<string | undefined> {
    return this.state.checkpoints.get(key);
  }
  async setCheckpoint(key: string, value: string): Promise<void> {
    this.state.checkpoints.set(key, value);
  }

  /** Serialised with other transactions; on error the whole state rolls back. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const run = async () => {
      const snapshot = snapshotOf(this.state);
      try {
        return await fn(this.bound());
      } catch (error) {
        this.state = snapshot;
        throw error;
      }
    };
    const result = this.txChain.then(run, run);
    this.txChain = result.catch(() => undefined);
    return result;
  }

  /** The same store, where nested `transaction` calls run inline (already serialised). */
  private bound(): Store {
    return new Proxy(this, {
      get: (target, prop, receiver) => {
        if (prop === 'transaction') return <T>(fn: (tx: Store) => Promise<T>) => fn(receiver as Store);
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  async close(): Promise<void> {}
}

function newestFirst<T>(items: T[], limit?: number): T[] {
  return items
    .slice()
    .reverse()
    .slice(0, limit ?? Number.POSITIVE_INFINITY)
    .map(clone);
}
