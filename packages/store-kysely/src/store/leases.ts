import { sql } from 'kysely';
import type { StoreContext } from './context.js';

/**
 * One statement, so it is atomic on both databases: insert the lease, or take it over only
 * when it has expired or is already ours. A refused take-over updates no row and returns none.
 */
export async function acquireLease(
  ctx: StoreContext,
  key: string,
  owner: string,
  until: Date,
  now: Date,
): Promise<boolean> {
  const row = await ctx.db
    .insertInto('leases')
    .values({ key, owner, expires_at: until.getTime() })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ owner, expires_at: until.getTime() })
        .where(sql<boolean>`leases.expires_at <= ${now.getTime()} or leases.owner = ${owner}`),
    )
    .returning('owner')
    .executeTakeFirst();
  return row?.owner === owner;
}

export async function releaseLease(ctx: StoreContext, key: string, owner: string): Promise<void> {
  await ctx.db.deleteFrom('leases').where('key', '=', key).where('owner', '=', owner).execute();
}
