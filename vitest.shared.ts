import { defineProject } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the "@brafa/source" export
// condition, so tests and typechecks never depend on a stale dist/ build.
// Only 'node' and 'default' besides ours: vitest hands these to Node as --conditions, and
// 'import' there would make require() inside CJS dependencies (pg) load ESM builds.
const conditions = ['@brafa/source', 'node', 'default'];

export function brafaProject(name: string, extra: { testTimeout?: number; setupFiles?: string[] } = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@brafa/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      ...(extra.setupFiles ? { setupFiles: extra.setupFiles } : {}),
    },
  });
}
