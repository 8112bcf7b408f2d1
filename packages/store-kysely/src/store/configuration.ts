import type { LockAssignment, Property, Unit, UnitMapping } from '@brafa/core';
import { sql } from 'kysely';
import { flag, propertyToRow, rowToLockAssignment, rowToProperty, rowToUnitMapping } from './codec.js';
import { chunk, type StoreContext } from './context.js';
import { param, runPrepared } from './prepared.js';

type ListTable = 'units' | 'unit_mappings' | 'lock_assignments';

export async function upsertProperty(ctx: StoreContext, property: Property): Promise<void> {
  const row = propertyToRow(property);
  const { id: _id, ...rest } = row;
  await ctx.db
    .insertInto('properties')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}

export async function getProperty(ctx: StoreContext, propertyId: string): Promise<Property | undefined> {
  const { rows } = await runPrepared(
    ctx,
    'getProperty',
    (db) => db.selectFrom('properties').selectAll().where('id', '=', param<string>('id')),
    { id: propertyId },
  );
  return rows[0] && rowToProperty(rows[0]);
}

export async function listProperties(ctx: StoreContext): Promise<Property[]> {
  const rows = await ctx.db.selectFrom('properties').selectAll().orderBy('id').execute();
  return rows.map(rowToProperty);
}

/**
 * Delete-then-insert in one transaction: readers see the old list or the new one, never a mix.
 * On PostgreSQL two replacements of the same list at once (every `brafa` process applies its
 * config on start) would both delete, then both insert and collide on the primary key under
 * READ COMMITTED; a transaction-scoped advisory lock per (table, property) makes them take
 * turns. SQLite already serialises writers.
 */
async function replaceList<R extends object>(
  ctx: StoreContext,
  table: ListTable,
  propertyId: string,
  rows: R[],
): Promise<void> {
  await ctx.atomic(async (db) => {
    if (ctx.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext(${`brafa:${table}:${propertyId}`}))`.execute(db);
    await db.deleteFrom(table).where('property_id', '=', propertyId).execute();
    const columns = rows[0] ? Object.keys(rows[0]).length : 1;
    for (const part of chunk(rows, columns, ctx.maxParameters)) {
      // The row shapes are built per table below; Kysely cannot relate a table union to them.
      await db
        .insertInto(table)
        .values(part as never)
        .execute();
    }
  });
}

export function replaceUnits(ctx: StoreContext, propertyId: string, units: Unit[]): Promise<void> {
  const rows = units.map((u, position) => ({
    property_id: propertyId,
    position,
    room_id: u.roomId,
    unit_name: u.unitName,
  }));
  return replaceList(ctx, 'units', propertyId, rows);
}

export async function listUnits(ctx: StoreContext, propertyId: string): Promise<Unit[]> {
  const rows = await ctx.db
    .selectFrom('units')
    .select(['property_id', 'room_id', 'unit_name'])
    .where('property_id', '=', propertyId)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ propertyId: r.property_id, roomId: r.room_id, unitName: r.unit_name }));
}

export function replaceUnitMappings(
  ctx: StoreContext,
  propertyId: string,
  mappings: UnitMapping[],
): Promise<void> {
  const rows = mappings.map((m, position) => ({
    property_id: propertyId,
    position,
    resource_id: m.resourceId,
    resource_name: m.resourceName,
    room_id: m.roomId,
    unit_name: m.unitName,
    is_primary: flag(m.primary),
  }));
  return replaceList(ctx, 'unit_mappings', propertyId, rows);
}

export async function listUnitMappings(ctx: StoreContext, propertyId: string): Promise<UnitMapping[]> {
  const rows = await ctx.db
    .selectFrom('unit_mappings')
    .selectAll()
    .where('property_id', '=', propertyId)
    .orderBy('position')
    .execute();
  return rows.map(rowToUnitMapping);
}

export function replaceLockAssignments(
  ctx: StoreContext,
  propertyId: string,
  assignments: LockAssignment[],
): Promise<void> {
  const rows = assignments.map((a, position) => ({
    property_id: propertyId,
    position,
    lock_id: a.lockId,
    scope: a.scope,
    room_id: a.scope === 'unit' ? a.roomId : null,
    unit_name: a.scope === 'unit' ? a.unitName : null,
  }));
  return replaceList(ctx, 'lock_assignments', propertyId, rows);
}

export async function listLockAssignments(ctx: StoreContext, propertyId: string): Promise<LockAssignment[]> {
  const rows = await ctx.db
    .selectFrom('lock_assignments')
    .selectAll()
    .where('property_id', '=', propertyId)
    .orderBy('position')
    .execute();
  return rows.map(rowToLockAssignment);
}
