import { defineProject, mergeConfig } from 'vitest/config';
import { brafaProject } from '../../vitest.shared.ts';

export default mergeConfig(
  brafaProject('store-kysely', { testTimeout: 60_000 }),
  defineProject({
    // Starts (and always stops) one throwaway PostgreSQL server for the PostgreSQL suites.
    test: { globalSetup: ['test/support/global-setup.ts'] },
  }),
);
