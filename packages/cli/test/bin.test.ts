import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@brafa/sandbox';
import { describe, expect, it } from 'vitest';
import { configForSandbox } from '../src/sandbox/config.js';
import { brafa, tempDir } from './support.js';

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

  it('serve: acks webhooks, its worker thread moves the code, SIGTERM stops both cleanly', async () => {
    const tmp = tempDir();
    const running = await startSandbox({
      scenario: {
        seed: 9,
        properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: { count: 6, withinDays: 10 } }],
      },
    });
    try {
      const config = configForSandbox(running, {
        database: `sqlite:${join(tmp.dir, 'serve.db')}`,
        webhookToken: 'bin-hook-token',
      });
      const file = join(tmp.dir, 'brafa.config.json');
      writeFileSync(file, JSON.stringify(config));
      expect((await brafa(['--config', file, 'run'])).code).toBe(0);
      const child = spawn(process.execPath, [bin, '--config', file, 'serve', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      while (!/listening on (http:\/\/\S+)/.test(stdout) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      expect(url, stderr).toBeDefined();

      const token = running.sandbox.inspect.mewsTokens({ propertyId: 'P1' })[0]!;
      const reservation = running.sandbox.scenario.reservation(token.ServiceOrderId);
      running.sandbox.scenario.changeDates(reservation.id, {
        arrival: reservation.arrival,
        departure: '2099-12-30',
      });
      const res = await fetch(`${url}/webhooks/mews/P1?Token=bin-hook-token`, {
        method: 'POST',
        body: JSON.stringify({
          EnterpriseId: running.sandbox.credentials().mews.properties.P1!.enterpriseId,
          IntegrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
          Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: reservation.id } }],
        }),
      });
      expect(res.status).toBe(202);
      const moved = () =>
        running.sandbox.inspect
          .mewsTokens({ propertyId: 'P1' })
          .find((t) => t.ServiceOrderId === reservation.id)
          ?.ValidityEndUtc.startsWith('2099-12-30') ?? false;
      while (!moved() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(moved()).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/stopped/);
    } finally {
      await running.close();
      tmp.cleanup();
    }
  }, 60_000);
});
