import { defineProject, mergeConfig } from 'vitest/config';
import { brafaProject } from '../../vitest.shared.ts';

const base = brafaProject('store-kysely', { testTimeout: 60_000 });
// Vitest hands `ssr.resolve.conditions` to Node as `--conditions` flags. With `import` among
// them, Node resolves `require('pg-pool')` inside pg's CommonJS code to pg-pool's ESM build
// ("Class extends value [object Module]"). Node adds `import`/`require` by itself, so only the
// workspace source condition and `node` are needed here.
if (base.ssr?.resolve) base.ssr.resolve.conditions = ['@brafa/source', 'node', 'default'];

export default mergeConfig(
  base,
  defineProject({
    // Starts (and always stops) one throwaway PostgreSQL server for the PostgreSQL suites.
    test: { globalSetup: ['test/support/global-setup.ts'] },
  }),
);
