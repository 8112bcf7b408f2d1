import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { BrafaDatabase } from '../schema/database.js';
import { heldConnection, type StoreContext } from './context.js';

const MARK = '\u0000brafa-param:';

/** A named value slot in a prepared query's builder (compiled in place of the value). */
export const param = <T>(name: string): T => `${MARK}${name}` as unknown as T;

export type Slot = { name: string } | { value: unknown };
export interface Prepared {
  sql: string;
  slots: Slot[];
}

// SQL depends only on the dialect and the query's shape, so prepared queries are shared by
// every store of a process.
const cache = new Map<string, Prepared>();

/**
 * Runs a query built and compiled once per shape (`key`), with this call's `values`. Kysely
 * otherwise builds an operation tree and compiles it on every call: on the statements every
 * lock operation runs (read a code, read its property, update the code, complete the job)
 * that was ~40 % of the memory the benchmark allocated, and a good part of its CPU.
 *
 * `build` receives the store's Kysely and must use `param(name)` for every value that
 * varies; anything else it binds is a constant of the shape. The values pass through
 * unchanged, so they must already be in row form (epoch ms, 0/1, JSON text).
 */
export async function runPrepared<R>(
  ctx: StoreContext,
  key: string,
  build: (db: Kysely<BrafaDatabase>) => Compilable<R>,
  values: Record<string, unknown>,
): Promise<QueryResult<R>> {
  const cacheKey = `${ctx.dialect}\u0000${key}`;
  let prepared = cache.get(cacheKey);
  if (!prepared) {
    prepared = compileShape(build(ctx.db), key);
    cache.set(cacheKey, prepared);
  }
  const parameters = prepared.slots.map((slot) => {
    if (!('name' in slot)) return slot.value;
    if (!(slot.name in values)) throw new Error(`prepared query ${key}: no value for ${slot.name}`);
    return values[slot.name];
  });
  const held = heldConnection(ctx, ctx.db);
  if (held) return held.execute<R>(prepared.sql, parameters);
  return ctx.db.executeQuery(CompiledQuery.raw(prepared.sql, parameters)) as Promise<QueryResult<R>>;
}

/** Compiles a query built with `param` slots: its SQL, and where each slot's value goes. */
export function compileShape(query: Compilable<unknown>, key: string): Prepared {
  const compiled = query.compile();
  const slots: Slot[] = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(MARK) ? { name: p.slice(MARK.length) } : { value: p },
  );
  // A builder that transformed a marker (quoted it, cast it) would bind it as a constant.
  for (const p of compiled.parameters)
    if (typeof p === 'string' && p.includes(MARK) && !p.startsWith(MARK))
      throw new Error(`prepared query ${key}: a parameter was transformed in the builder`);
  return { sql: compiled.sql, slots };
}
