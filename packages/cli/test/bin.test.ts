import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/brafa.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/bin.js', import.meta.url)));

/** The installed command as a user runs it (needs `pnpm build`, which `pnpm install` runs). */
describe('the brafa executable', () => {
  it('is built (pnpm install runs the build)', () => {
    expect(built, 'packages/cli/dist is missing: run pnpm build').toBe(true);
  });

  it('prints help and exits 0; a bad config exits 1 naming the problem', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: brafa/);
    const bad = spawnSync(process.execPath, [bin, '--config', '/nonexistent/brafa.json', 'status'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/cannot read config file/);
  });

  it('runs the demo end to end', () => {
    const demo = spawnSync(
      process.execPath,
      [bin, 'demo', '--db', `/tmp/brafa-bin-demo-${process.pid}.db`, '--reservations', '40'],
      {
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(demo.stderr).toBe('');
    expect(demo.stdout).toMatch(/demo OK: every lock and MEWS agree/);
    expect(demo.status).toBe(0);
  }, 100_000);
});
