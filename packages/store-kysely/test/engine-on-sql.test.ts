import { describeEngineConformance } from '@brafa/core/testing';
import { openStore } from '../src/index.js';
import { freshPostgresStores } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

// The engine's behaviour suite on the durable stores: the in-memory store must not be the
// only store the engine is known to work with.
describeEngineConformance('SQLite store', { create: () => openStore('sqlite::memory:') });

describePostgres('PostgreSQL', postgresUrl('engine-on-sql'), (admin) => {
  describeEngineConformance('PostgreSQL store', freshPostgresStores(admin));
});
