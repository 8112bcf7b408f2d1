import type { ColumnType, Generated } from 'kysely';

/**
 * Storage conventions (the same on SQLite and PostgreSQL, so one code path serves both):
 * - instants are epoch milliseconds in an integer column (`integer` on SQLite, `bigint` on
 *   PostgreSQL); they round-trip exactly and sort/compare as numbers. PostgreSQL's driver
 *   hands `bigint` back as a string, hence the read type.
 * - local calendar dates (`2026-05-01`) and local times (`15:00`) stay text.
 * - booleans are 0/1 integers; JSON values (payloads, external ids, event lists) are text.
 * - generated ids are integers, exposed to the port as strings.
 */
export type Instant = ColumnType<number | string | bigint, number, number>;
export type NullableInstant = ColumnType<number | string | bigint | null, number | null, number | null>;
export type IntFlag = number;
export type GeneratedId = Generated<number | string | bigint>;

export interface PropertiesTable {
  id: string;
  provider: string;
  timezone: string;
  check_in_time: string;
  check_out_time: string;
  before_check_in_minutes: number;
  after_check_out_minutes: number;
  enabled: IntFlag;
  name: string | null;
}

/** `position` keeps the caller's order, as the port replaces these lists wholesale. */
export interface UnitsTable {
  property_id: string;
  position: number;
  room_id: string;
  unit_name: string;
}

export interface UnitMappingsTable {
  property_id: string;
  position: number;
  resource_id: string;
  resource_name: string | null;
  room_id: string;
  unit_name: string;
  is_primary: IntFlag;
}

export interface LockAssignmentsTable {
  property_id: string;
  position: number;
  lock_id: string;
  scope: 'unit' | 'property';
  room_id: string | null;
  unit_name: string | null;
}

export interface BookingsTable {
  property_id: string;
  booking_id: string;
  resource_id: string | null;
  room_id: string | null;
  unit_name: string | null;
  guest_name: string;
  arrival_date: string;
  departure_date: string;
  check_in_at: NullableInstant;
  check_out_at: NullableInstant;
  status: string;
  reference_number: string | null;
  /** JSON object of provider ids. */
  external_ids: string;
  // BookingState: never written by a PMS sync.
  passcode_attempt: ColumnType<number, number | undefined, number>;
  write_back_key: ColumnType<string | null, string | null | undefined, string | null>;
  write_back_ref: ColumnType<string | null, string | null | undefined, string | null>;
  write_back_error: ColumnType<string | null, string | null | undefined, string | null>;
  issue: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Instant;
  updated_at: Instant;
}

export interface AccessCodesTable {
  id: string;
  property_id: string;
  booking_id: string;
  lock_id: string;
  passcode: string;
  attempt: number;
  valid_from: Instant;
  valid_to: Instant;
  lock_code_id: string | null;
  /** Digits the lock holds under lock_code_id (may differ from the target passcode). */
  lock_passcode: string | null;
  state: string;
  revision: number;
  attempts: number;
  last_error: string | null;
  updated_at: Instant;
}

export interface JobsTable {
  id: GeneratedId;
  kind: string;
  property_id: string;
  /** JSON object. */
  payload: string;
  status: string;
  run_after: Instant;
  /** Lower is claimed first among due jobs; see `NewJob.priority`. */
  priority: Generated<number>;
  dedupe_key: string | null;
  attempts: number;
  /** Asked for by an enqueue of the same key while the job ran; see `NewJob.dedupeKey`. */
  rerun_after: NullableInstant;
  lease_owner: string | null;
  lease_expires_at: NullableInstant;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface WebhookLogsTable {
  id: GeneratedId;
  property_id: string;
  provider: string;
  received_at: Instant;
  status: number;
  payload: string;
  /** JSON array of event names. */
  events: string;
  error: string | null;
}

export interface WriteBackLogsTable {
  id: GeneratedId;
  property_id: string;
  booking_id: string;
  action: string;
  at: Instant;
  ok: IntFlag;
  detail: string;
  ref: string | null;
  error: string | null;
}

export interface QuarantineTable {
  id: GeneratedId;
  property_id: string;
  source: string;
  record_id: string | null;
  reason: string;
  raw: string;
  at: Instant;
}

export interface CheckpointsTable {
  key: string;
  value: string;
}

export interface LeasesTable {
  key: string;
  owner: string;
  expires_at: Instant;
}

/** The tables this package owns, for typing a `Kysely<BrafaDatabase>`. */
export interface BrafaDatabase {
  properties: PropertiesTable;
  units: UnitsTable;
  unit_mappings: UnitMappingsTable;
  lock_assignments: LockAssignmentsTable;
  bookings: BookingsTable;
  access_codes: AccessCodesTable;
  jobs: JobsTable;
  webhook_logs: WebhookLogsTable;
  writeback_logs: WriteBackLogsTable;
  quarantine: QuarantineTable;
  checkpoints: CheckpointsTable;
  leases: LeasesTable;
}

export const BRAFA_TABLES = [
  'properties',
  'units',
  'unit_mappings',
  'lock_assignments',
  'bookings',
  'access_codes',
  'jobs',
  'webhook_logs',
  'writeback_logs',
  'quarantine',
  'checkpoints',
  'leases',
] as const satisfies readonly (keyof BrafaDatabase)[];
