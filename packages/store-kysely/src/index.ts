export { detectDialect, type SqlDialect } from './dialect/detect.js';
export { applyPragmas, createSqliteDialect, type SqliteTuning } from './dialect/sqlite.js';
export {
  countWaitingWebhooks,
  openWebhookInbox,
  WebhookInbox,
  type WebhookInboxOptions,
  webhookInboxPath,
} from './inbox/webhook-inbox.js';
export {
  brafaMigrations,
  createMigrator,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
} from './migrations/index.js';
export { type OpenStoreOptions, openKysely, openStore } from './open-store.js';
export type * from './schema/database.js';
export { BRAFA_TABLES } from './schema/database.js';
export { createKyselyStore, type KyselyStoreOptions } from './store/kysely-store.js';
