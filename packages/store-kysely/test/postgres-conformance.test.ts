import { describeStoreConformance } from '@brafa/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../src/index.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/databases.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

const adminUrl = postgresUrl('postgres-conformance');

describePostgres('PostgreSQL', adminUrl, (admin) => {
  // Migrate once into a template; each test gets a fresh copy (CREATE DATABASE … TEMPLATE).
  const template = uniqueDatabaseName('brafa_tpl');
  const urlOf = (db: string) => Object.assign(new URL(admin), { pathname: `/${db}` }).toString();
  const names = new WeakMap<object, string>();

  beforeAll(async () => {
    await createDatabase(admin, template);
    const store = await openStore(urlOf(template)); // migrates
    await store.close();
  });
  afterAll(() => dropDatabase(admin, template));

  describeStoreConformance('postgresql', {
    create: async () => {
      const name = uniqueDatabaseName();
      await createDatabase(admin, name, template);
      const store = await openStore(urlOf(name), { poolSize: 5 });
      names.set(store, name);
      return store;
    },
    destroy: async (store) => {
      const name = names.get(store);
      if (name) await dropDatabase(admin, name);
    },
  });
});
