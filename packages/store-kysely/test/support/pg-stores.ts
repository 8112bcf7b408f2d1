import type { Store } from '@brafa/core';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/index.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './databases.js';

export function databaseUrl(adminUrl: string, database: string): string {
  return Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
}

/**
 * `create`/`destroy` for the core suites: every test gets its own database, copied from a
 * template migrated once per file (CREATE DATABASE … TEMPLATE is much faster than migrating).
 * Call inside a describe block: it registers the template's beforeAll/afterAll.
 */
export function freshPostgresStores(adminUrl: string) {
  const template = uniqueDatabaseName('brafa_tpl');
  const names = new WeakMap<Store, string>();
  beforeAll(async () => {
    await createDatabase(adminUrl, template);
    const store = await openStore(databaseUrl(adminUrl, template)); // migrates
    await store.close();
  });
  afterAll(() => dropDatabase(adminUrl, template));
  return {
    create: async (): Promise<Store> => {
      const name = uniqueDatabaseName();
      await createDatabase(adminUrl, name, template);
      const store = await openStore(databaseUrl(adminUrl, name), { poolSize: 5 });
      names.set(store, name);
      return store;
    },
    destroy: async (store: Store): Promise<void> => {
      const name = names.get(store);
      if (name) await dropDatabase(adminUrl, name);
    },
  };
}
