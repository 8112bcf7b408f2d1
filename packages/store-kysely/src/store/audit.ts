import type { QuarantineEntry, WebhookLog, WriteBackLog } from '@brafa/core';
import { flag, ms, toDate, toId } from './codec.js';
import type { StoreContext } from './context.js';
import { runPreparedRows } from './prepared-rows.js';

// Audit rows are written as given: the port's contract is that callers pass payloads with
// no secrets of ours and write-back details with masked passcodes (see core's Redactor).

export async function appendWebhookLog(ctx: StoreContext, entry: WebhookLog): Promise<void> {
  await ctx.db
    .insertInto('webhook_logs')
    .values({
      property_id: entry.propertyId,
      provider: entry.provider,
      received_at: ms(entry.receivedAt),
      status: entry.status,
      payload: entry.payload,
      events: JSON.stringify(entry.events),
      error: entry.error,
    })
    .execute();
}

export async function listWebhookLogs(
  ctx: StoreContext,
  options: { propertyId?: string; limit?: number } = {},
): Promise<WebhookLog[]> {
  const { propertyId, limit } = options;
  const rows = await ctx.db
    .selectFrom('webhook_logs')
    .selectAll()
    .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
    .orderBy('id', 'desc')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map((r) => ({
    id: toId(r.id),
    propertyId: r.property_id,
    provider: r.provider,
    receivedAt: toDate(r.received_at),
    status: Number(r.status),
    payload: r.payload,
    events: JSON.parse(r.events) as string[],
    error: r.error,
  }));
}

export async function appendWriteBackLogs(ctx: StoreContext, entries: WriteBackLog[]): Promise<void> {
  const rows = entries.map((e) => ({
    property_id: e.propertyId,
    booking_id: e.bookingId,
    action: e.action,
    at: ms(e.at),
    ok: flag(e.ok),
    detail: e.detail,
    ref: e.ref,
    error: e.error,
  }));
  if (rows.length === 0) return;
  await ctx.atomic((db) =>
    runPreparedRows(ctx, db, 'writeback_logs:insert', rows, (d, part) =>
      d.insertInto('writeback_logs').values(part),
    ),
  );
}

export async function listWriteBackLogs(
  ctx: StoreContext,
  options: { propertyId?: string; bookingId?: string; limit?: number } = {},
): Promise<WriteBackLog[]> {
  const { propertyId, bookingId, limit } = options;
  const rows = await ctx.db
    .selectFrom('writeback_logs')
    .selectAll()
    .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
    .$if(bookingId !== undefined, (q) => q.where('booking_id', '=', bookingId!))
    .orderBy('id', 'desc')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map((r) => ({
    id: toId(r.id),
    propertyId: r.property_id,
    bookingId: r.booking_id,
    action: r.action as WriteBackLog['action'],
    at: toDate(r.at),
    ok: Number(r.ok) === 1,
    detail: r.detail,
    ref: r.ref,
    error: r.error,
  }));
}

export async function appendQuarantine(ctx: StoreContext, entries: QuarantineEntry[]): Promise<void> {
  const rows = entries.map((e) => ({
    property_id: e.propertyId,
    source: e.source,
    record_id: e.recordId,
    reason: e.reason,
    raw: e.raw,
    at: ms(e.at),
  }));
  if (rows.length === 0) return;
  await ctx.atomic((db) =>
    runPreparedRows(ctx, db, 'quarantine:insert', rows, (d, part) => d.insertInto('quarantine').values(part)),
  );
}

export async function listQuarantine(
  ctx: StoreContext,
  options: { propertyId?: string; limit?: number } = {},
): Promise<QuarantineEntry[]> {
  const { propertyId, limit } = options;
  const rows = await ctx.db
    .selectFrom('quarantine')
    .selectAll()
    .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
    .orderBy('id', 'desc')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map((r) => ({
    id: toId(r.id),
    propertyId: r.property_id,
    source: r.source,
    recordId: r.record_id,
    reason: r.reason,
    raw: r.raw,
    at: toDate(r.at),
  }));
}

export async function getCheckpoint(ctx: StoreContext, key: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('checkpoints')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value;
}

export async function setCheckpoint(ctx: StoreContext, key: string, value: string): Promise<void> {
  await ctx.db
    .insertInto('checkpoints')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Each log table with the column that tells when its row was written. */
const LOG_TIMES = [
  ['webhook_logs', 'received_at'],
  ['writeback_logs', 'at'],
  ['quarantine', 'at'],
] as const;

export async function pruneLogs(
  ctx: StoreContext,
  options: { before: Date; limit: number },
): Promise<number> {
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return 0;
  let pruned = 0;
  for (const [table, time] of LOG_TIMES) {
    // The table's `limit` lowest ids (its oldest rows: rows are appended as things happen)
    // through the primary key, so a call reads at most `limit` rows however long the log is.
    const result = await ctx.db
      .deleteFrom(table)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom(table)
          .select('id')
          .orderBy('id')
          .limit(limit)
          // Workers pruning at once on PostgreSQL take disjoint rows (see pruneJobs).
          .$if(ctx.dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
      )
      .where(time, '<', ms(options.before))
      .executeTakeFirst();
    pruned += Number(result.numDeletedRows);
  }
  return pruned;
}
