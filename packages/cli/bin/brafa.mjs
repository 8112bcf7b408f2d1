#!/usr/bin/env node
// A committed shim, so package managers can link `brafa` before the first build.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('brafa: the CLI is not built yet; run `pnpm build` at the repository root\n');
  process.exit(1);
}
await import(entry.href);
