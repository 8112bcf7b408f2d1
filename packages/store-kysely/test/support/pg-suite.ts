import { describe, inject } from 'vitest';

/**
 * The admin URL of the test server, or undefined after a loud warning naming the reason
 * (the suites are then reported as skipped, never silently passed).
 */
export function postgresUrl(file: string): string | undefined {
  const pg = inject('brafaPostgres');
  if (pg.url) return pg.url;
  console.warn(`!! ${file}: PostgreSQL tests skipped — ${pg.skipReason}`);
  return undefined;
}

/** `describe` that runs only with a server. */
export function describePostgres(name: string, url: string | undefined, fn: (url: string) => void): void {
  // Without a server the body still registers its tests (so they show up as skipped), but
  // no hook or test runs, so the placeholder URL is never dialled.
  describe.runIf(url !== undefined)(name, () => fn(url ?? 'postgres://no-server.invalid/none'));
}
