import type { AccessCode, AccessCodeQuery } from '@brafa/core';
import { accessCodePatchToRow, accessCodeToRow, rowToAccessCode } from './codec.js';
import { inChunks, lastByKey, type StoreContext } from './context.js';
import { param, runPrepared } from './prepared.js';
import { runPreparedRows } from './prepared-rows.js';

export async function getAccessCode(ctx: StoreContext, id: string): Promise<AccessCode | undefined> {
  const { rows } = await runPrepared(
    ctx,
    'getAccessCode',
    (db) => db.selectFrom('access_codes').selectAll().where('id', '=', param<string>('id')),
    { id },
  );
  return rows[0] && rowToAccessCode(rows[0]);
}

export async function listAccessCodes(ctx: StoreContext, query: AccessCodeQuery): Promise<AccessCode[]> {
  const { ids, propertyId, bookingId, bookingIds, lockIds, includeRevoked } = query;
  if (lockIds && lockIds.length === 0) return [];
  const select = (byBooking: string[] | undefined, byId: string[] | undefined) =>
    ctx.db
      .selectFrom('access_codes')
      .selectAll()
      .$if(byId !== undefined, (q) => q.where('id', 'in', byId!))
      .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
      .$if(bookingId !== undefined, (q) => q.where('booking_id', '=', bookingId!))
      .$if(byBooking !== undefined, (q) => q.where('booking_id', 'in', byBooking!))
      .$if(lockIds !== undefined, (q) => q.where('lock_id', 'in', lockIds!))
      .$if(!includeRevoked, (q) => q.where('state', '<>', 'revoked'))
      .orderBy('id')
      .execute();
  let rows: Awaited<ReturnType<typeof select>>;
  if (ids) {
    // One IN list per chunk of ids; the bookings, if also given, are filtered here.
    const bookings = bookingIds && new Set(bookingIds);
    const onlyIds = propertyId === undefined && bookingId === undefined && lockIds === undefined;
    rows = sortedById(
      onlyIds
        ? await codesByIds(ctx, ids, includeRevoked ?? false)
        : await inChunks(ids, (chunk) => select(undefined, chunk)),
    );
    if (bookings) rows = rows.filter((r) => bookings.has(r.booking_id));
  } else if (bookingIds) {
    rows = sortedById(await inChunks(bookingIds, (chunk) => select(chunk, undefined)));
  } else {
    rows = await select(undefined, undefined);
  }
  return rows.map(rowToAccessCode);
}

/**
 * Lengths of the `id IN (…)` lists that read codes by id alone. A list is padded to the next
 * length by repeating its last id, so reads of any number of codes (a claimed batch's, a burst
 * of lock jobs' re-reads: every count from 1 to hundreds) share five prepared statements
 * instead of each length being compiled by Kysely and prepared by SQLite anew, and crowding the
 * statements every lock operation runs out of the statement cache.
 */
const BY_ID_LENGTHS: readonly number[] = [1, 4, 16, 64, 256];
const MAX_BY_ID = 256;

async function codesByIds(ctx: StoreContext, ids: readonly string[], includeRevoked: boolean) {
  const unique = [...new Set(ids)];
  const rows = [];
  for (let at = 0; at < unique.length; at += MAX_BY_ID) {
    const part = unique.slice(at, at + MAX_BY_ID);
    const length: number = BY_ID_LENGTHS.find((n) => n >= part.length) ?? MAX_BY_ID;
    const values: Record<string, string> = {};
    for (let i = 0; i < length; i++) values[`id${i}`] = part[Math.min(i, part.length - 1)] as string;
    const { rows: found } = await runPrepared(
      ctx,
      `access_codes:byIds:${length}:${includeRevoked ? 'all' : 'live'}`,
      (db) =>
        db
          .selectFrom('access_codes')
          .selectAll()
          .where(
            'id',
            'in',
            Array.from({ length }, (_, i): string => param<string>(`id${i}`)),
          )
          .$if(!includeRevoked, (q) => q.where('state', '<>', 'revoked')),
      values,
    );
    rows.push(...found);
  }
  return rows;
}

const sortedById = <T extends { id: string }>(rows: T[]) =>
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Insert or replace whole rows by id, in one transaction. */
export async function saveAccessCodes(ctx: StoreContext, codes: AccessCode[]): Promise<void> {
  const rows = lastByKey(codes, (c) => c.id).map(accessCodeToRow);
  if (rows.length === 0) return;
  await ctx.atomic((db) =>
    runPreparedRows(ctx, db, 'access_codes:save', rows, (d, part) =>
      d
        .insertInto('access_codes')
        .values(part)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            property_id: eb.ref('excluded.property_id'),
            booking_id: eb.ref('excluded.booking_id'),
            lock_id: eb.ref('excluded.lock_id'),
            passcode: eb.ref('excluded.passcode'),
            attempt: eb.ref('excluded.attempt'),
            valid_from: eb.ref('excluded.valid_from'),
            valid_to: eb.ref('excluded.valid_to'),
            lock_code_id: eb.ref('excluded.lock_code_id'),
            lock_passcode: eb.ref('excluded.lock_passcode'),
            state: eb.ref('excluded.state'),
            revision: eb.ref('excluded.revision'),
            attempts: eb.ref('excluded.attempts'),
            last_error: eb.ref('excluded.last_error'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    ),
  );
}

/** Insert rows whose id is free; `ON CONFLICT DO NOTHING` leaves taken ones untouched (and says which). */
export async function insertAccessCodes(ctx: StoreContext, codes: AccessCode[]): Promise<string[]> {
  const rows = lastByKey(codes, (c) => c.id).map(accessCodeToRow);
  if (rows.length === 0) return [];
  const returned = await ctx.atomic((db) =>
    runPreparedRows(ctx, db, 'access_codes:insert', rows, (d, part) =>
      d
        .insertInto('access_codes')
        .values(part)
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id'),
    ),
  );
  const inserted = new Set(returned.map((r) => r.id));
  return rows.map((r) => r.id).filter((id) => !inserted.has(id));
}

/**
 * Patch one row; with `expectedRevision` the revision check and the write are one UPDATE,
 * so a lock call finishing after a re-plan can never overwrite the newer target.
 */
export async function updateAccessCode(
  ctx: StoreContext,
  id: string,
  patch: Partial<Omit<AccessCode, 'id'>>,
  options: { expectedRevision?: number } = {},
): Promise<boolean> {
  const { expectedRevision } = options;
  const set = accessCodePatchToRow(patch);
  if (Object.keys(set).length === 0) {
    // Nothing to write: answer whether the patch *would* have applied.
    const row = await ctx.db
      .selectFrom('access_codes')
      .select('id')
      .where('id', '=', id)
      .$if(expectedRevision !== undefined, (q) => q.where('revision', '=', expectedRevision!))
      .executeTakeFirst();
    return row !== undefined;
  }
  // One prepared statement per set of patched columns (the engine uses a handful).
  const columns = Object.keys(set) as Array<keyof typeof set>;
  const checked = expectedRevision !== undefined;
  const result = await runPrepared(
    ctx,
    `updateAccessCode:${columns.join(',')}${checked ? ':rev' : ''}`,
    (db) =>
      db
        .updateTable('access_codes')
        .set(Object.fromEntries(columns.map((c) => [c, param(`set.${c}`)])))
        .where('id', '=', param<string>('id'))
        .$if(checked, (q) => q.where('revision', '=', param<number>('revision'))),
    {
      id,
      revision: expectedRevision,
      ...Object.fromEntries(columns.map((c) => [`set.${c}`, set[c]])),
    },
  );
  return (result.numAffectedRows ?? 0n) > 0n;
}
