import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configForSandbox } from '@brafa/cli';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/**
 * The README's command as a user runs it: `node examples/cron-sync/src/main.mjs` from the
 * repository root, on the built packages (dist/, made by `pnpm build`).
 */
describe('node src/main.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-cron-'));
  let running: RunningSandbox;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 9,
        properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: { count: 5, cancelledRatio: 0 } }],
      },
    });
    const config = configForSandbox(running, { database: `sqlite:${join(dir, 'brafa.db')}` });
    // The config file reads the secret from the environment, as in production.
    writeFileSync(join(dir, 'brafa.config.json'), JSON.stringify({ ...config, secret: '${BRAFA_SECRET}' }));
    child = spawn(process.execPath, ['examples/cron-sync/src/main.mjs'], {
      cwd: root,
      env: {
        ...process.env,
        BRAFA_CONFIG: join(dir, 'brafa.config.json'),
        BRAFA_SECRET: 'cron-test-passcode-secret',
        BACKFILL_AT: '04:30',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a sync at start, then waits for the schedule and exits 0 on SIGTERM', async () => {
    await vi.waitFor(
      () => {
        if (!/frequent run .* 0 failed/.test(stdout)) throw new Error(`no run yet: ${stdout}${stderr}`);
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(stdout).toMatch(/scheduled: sync every 5 minutes, backfill next at \S+/);
    expect(stdout).toMatch(
      /frequent run \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d: P1 \d+ bookings; \d+ jobs \(\d+ ok/,
    );
    const codes = running.sandbox.scenario
      .locks('P1')
      .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice));
    expect(codes.length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('SIGTERM: finishing the current run, then exiting');
  });
});
