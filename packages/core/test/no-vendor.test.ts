import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Core knows no vendor: business rules live here, vendor wire formats in the adapters.
const VENDORS = /\b(mews|sciener|ttlock|beds24|godo|booking ?factory|tbf)\b|@brafa\/(provider|lock|store)-/i;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('@brafa/core', () => {
  it('has no vendor names and imports no adapter', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const offenders = files(src).filter((f) => VENDORS.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
