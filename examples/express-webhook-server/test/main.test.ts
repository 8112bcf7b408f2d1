import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configForSandbox } from '@brafa/cli';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/**
 * The README's command as a user runs it: `node examples/express-webhook-server/src/main.mjs`
 * from the repository root, on the built packages (dist/, made by `pnpm build`).
 */
describe('node src/main.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-express-'));
  let running: RunningSandbox;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 8,
        properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: { count: 5, cancelledRatio: 0 } }],
      },
    });
    const config = configForSandbox(running, {
      database: `sqlite:${join(dir, 'brafa.db')}`,
      webhookToken: 'main-hook-secret',
    });
    // The config file reads the secret from the environment, as in production.
    writeFileSync(join(dir, 'brafa.config.json'), JSON.stringify({ ...config, secret: '${BRAFA_SECRET}' }));
    child = spawn(process.execPath, ['examples/express-webhook-server/src/main.mjs'], {
      cwd: root,
      env: {
        ...process.env,
        BRAFA_CONFIG: join(dir, 'brafa.config.json'),
        BRAFA_SECRET: 'main-test-passcode-secret',
        PORT: '0',
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

  it('syncs on start, serves /health, and exits 0 on SIGTERM', async () => {
    const url = await vi.waitFor(
      () => {
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (!match) throw new Error(`not listening yet (stderr: ${stderr.slice(0, 500)})`);
        return match[1]!;
      },
      { timeout: 20_000, interval: 50 },
    );
    // The catch-up sync puts codes on the locks without any webhook.
    await vi.waitFor(
      () => {
        const codes = running.sandbox.scenario
          .locks('P1')
          .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice));
        expect(codes.length).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 100 },
    );
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('SIGTERM: shutting down');
    expect(`${stdout}${stderr}`).not.toContain('main-hook-secret');
  });
});
