import { defineProject } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the "@brafa/source" export
// condition, so tests and typechecks never depend on a stale dist/ build.
const conditions = ['@brafa/source', 'node', 'import', 'module', 'default'];

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
