import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test PostgreSQL server, or why there is none. */
    brafaPostgres: { url: string; skipReason: null } | { url: null; skipReason: string };
  }
}

/** One PostgreSQL server for every test file of this package; stopped even when tests fail. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startPostgres();
  if (!started.ok) {
    console.warn(
      [
        '',
        '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        '!!  @brafa/store-kysely: PostgreSQL suites SKIPPED — no PostgreSQL server could be started.',
        `!!  Reason: ${started.reason}`,
        '!!  Fix: install the `postgresql` package (initdb/pg_ctl), run as a non-root user or as root with',
        '!!  a `postgres` OS user, or point BRAFA_TEST_POSTGRES_URL at a server you own.',
        '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        '',
      ].join('\n'),
    );
    project.provide('brafaPostgres', { url: null, skipReason: started.reason });
    return async () => {};
  }
  project.provide('brafaPostgres', { url: started.server.adminUrl, skipReason: null });
  return () => started.server.stop();
}
