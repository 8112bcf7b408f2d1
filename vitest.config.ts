import { defineConfig } from 'vitest/config';

// One workspace-wide run: every package's tests, summed into one report that .ci/run reads.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'reliability'],
  },
});
