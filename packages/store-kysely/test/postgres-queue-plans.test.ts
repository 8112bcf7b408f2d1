import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BrafaDatabase, createKyselyStore, migrateToLatest } from '../src/index.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/databases.js';
import { databaseUrl } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

const adminUrl = postgresUrl('postgres-queue-plans');
const T0 = new Date('2026-04-01T10:00:00Z');

describePostgres(
  'PostgreSQL: the queue reads its partial indexes, not the whole table',
  adminUrl,
  (admin) => {
    const name = uniqueDatabaseName('brafa_plans');
    const queries: CompiledQuery[] = [];
    let db: Kysely<BrafaDatabase>;

    beforeAll(async () => {
      await createDatabase(admin, name);
      db = new Kysely<BrafaDatabase>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: databaseUrl(admin, name), max: 2 }),
        }),
        log: (event) => {
          if (event.level === 'query') queries.push(event.query);
        },
      });
      await migrateToLatest(db);
      // A queue after a busy week: 50,000 done jobs, a few dead, 50 queued and 5 running.
      await sql`
      insert into jobs (kind, property_id, payload, status, run_after, priority, attempts, created_at, updated_at)
      select 'lock', 'P' || (g % 3), '{}', case when g % 5000 = 0 then 'dead' else 'done' end, g, g, 1, g, g
      from generate_series(1, 50000) as g`.execute(db);
      await sql`
      insert into jobs (kind, property_id, payload, status, run_after, priority, attempts, created_at, updated_at,
                        lease_owner, lease_expires_at)
      select 'lock', 'P1', '{}', case when g <= 5 then 'running' else 'queued' end, 100, g, 0, 1, 1,
             case when g <= 5 then 'w' end, case when g <= 5 then 10 end
      from generate_series(1, 55) as g`.execute(db);
      await sql`analyze jobs`.execute(db);
    });
    afterAll(async () => {
      await db?.destroy();
      await dropDatabase(admin, name);
    });

    /** The plan PostgreSQL picks for each statement `act` runs against `jobs`. */
    async function plansOf(act: () => Promise<unknown>): Promise<string[]> {
      queries.length = 0;
      await act();
      const plans: string[] = [];
      for (const q of queries.splice(0).filter((q) => /\bjobs\b/.test(q.sql))) {
        const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]),
        );
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
      return plans;
    }

    it('claims read the queued and running indexes, not the week of done jobs', async () => {
      const store = createKyselyStore(db);
      const plans = [
        ...(await plansOf(() =>
          store.claimJobs({
            owner: 'w2',
            limit: 10,
            leaseMs: 1000,
            now: T0,
            kinds: ['lock'],
            propertyId: 'P1',
          }),
        )),
        ...(await plansOf(() => store.claimJobs({ owner: 'w2', limit: 10, leaseMs: 1000, now: T0 }))),
      ];
      expect(plans).toHaveLength(2);
      for (const plan of plans) {
        expect(plan).not.toMatch(/Seq Scan on jobs/);
        expect(plan).toContain('jobs_queued_idx');
        expect(plan).toContain('jobs_running_idx');
      }
    });

    it('the few queued, running and dead jobs are counted and listed from their own indexes', async () => {
      const store = createKyselyStore(db);
      // One count per status; counting the done ones reads nearly the whole table either way, so
      // the planner's choice there (a sequential scan here) is left to it.
      const counts = await plansOf(() => store.countJobs());
      // One statement, a sub-plan per status.
      expect(counts).toHaveLength(1);
      const subPlans = counts[0]?.split(/\n(?=\s*(?:InitPlan|SubPlan))/).slice(1) ?? [];
      expect(subPlans).toHaveLength(4);
      for (const [i, status] of ['queued', 'running', 'dead'].entries()) {
        const plan = subPlans[i === 2 ? 3 : i];
        expect(plan).not.toMatch(/Seq Scan on jobs/);
        expect(plan).toContain(`jobs_${status}_idx`);
      }
      const [dead] = await plansOf(() => store.listJobs({ status: 'dead' }));
      expect(dead).toMatch(/Index Scan using jobs_dead_idx/);
    });
  },
);
