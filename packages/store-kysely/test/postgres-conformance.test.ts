import { describeStoreConformance } from '@brafa/core/testing';
import { freshPostgresStores } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

describePostgres('PostgreSQL', postgresUrl('postgres-conformance'), (admin) => {
  describeStoreConformance('postgresql', freshPostgresStores(admin));
});
