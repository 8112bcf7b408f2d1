import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreConformance } from '@brafa/core/testing';
import { afterAll } from 'vitest';
import { openStore } from '../src/index.js';

describeStoreConformance('sqlite in memory', { create: () => openStore('sqlite::memory:') });

// A file database exercises WAL, the busy timeout and BEGIN IMMEDIATE for real.
const dir = mkdtempSync(join(tmpdir(), 'brafa-sqlite-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
describeStoreConformance('sqlite file', {
  create: () => openStore(`sqlite:${join(dir, `store-${++n}.db`)}`),
});
