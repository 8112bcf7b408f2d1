import { defineConfig } from 'tsup';

export default defineConfig({
  // worker-thread: the thread `brafa serve` starts by file URL (see serve/worker-loop.ts).
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'worker-thread': 'src/serve/worker-thread.ts' },
  // import.meta.url in the CJS build too (worker-loop.ts finds worker-thread.js by it).
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
