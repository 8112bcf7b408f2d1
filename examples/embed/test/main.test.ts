import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDb } from '../src/app-db.mjs';

const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/**
 * The README's command as a user runs it: `node examples/embed/src/main.mjs` from the
 * repository root, on the built packages (dist/, made by `pnpm build`).
 */
describe('node src/main.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-embed-main-'));
  let running: RunningSandbox;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 34,
        properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: { count: 5, cancelledRatio: 0 } }],
      },
    });
    const creds = running.sandbox.credentials();
    env = {
      ...process.env,
      APP_DB: join(dir, 'app.db'),
      ROOMS: running.sandbox.scenario
        .units('P1')
        .map((u) => `${u.unitName}:${u.lockId}`)
        .join(','),
      BRAFA_SECRET: 'embed-main-passcode-secret',
      PROPERTY_ID: 'P1',
      MEWS_BASE_URL: running.mewsUrl,
      MEWS_CLIENT_TOKEN: creds.mews.clientToken,
      MEWS_ACCESS_TOKEN: creds.mews.properties.P1!.accessToken,
      TTLOCK_BASE_URL: running.scienerUrl,
      TTLOCK_CLIENT_ID: creds.sciener.clientId,
      TTLOCK_CLIENT_SECRET: creds.sciener.clientSecret,
      TTLOCK_USERNAME: creds.sciener.username,
      TTLOCK_PASSWORD: creds.sciener.password,
    };
  });
  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs the codes, prints the status and exits 0; a second run changes nothing', async () => {
    const first = await run(process.execPath, ['examples/embed/src/main.mjs'], { cwd: root, env });
    expect(first.stdout).toContain('app: 3 rooms, 3 with a lock');
    const active = Number(/codes active (\d+), pending 0, failed 0/.exec(first.stdout)?.[1]);
    const onLocks = running.sandbox.scenario
      .locks('P1')
      .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice));
    expect(active).toBeGreaterThan(0);
    expect(active).toBe(onLocks.length);

    const second = await run(process.execPath, ['examples/embed/src/main.mjs'], { cwd: root, env });
    expect(second.stdout).toMatch(/codes active \d+, pending 0, failed 0; 0 jobs run/);

    const db = openAppDb(join(dir, 'app.db'));
    try {
      expect(await db.selectFrom('rooms').select(['number', 'lockId']).orderBy('number').execute()).toEqual(
        running.sandbox.scenario.units('P1').map((u) => ({ number: u.unitName, lockId: String(u.lockId) })),
      );
    } finally {
      await db.destroy();
    }
  });

  it('exits 1 naming a missing variable', async () => {
    const failed = run(process.execPath, ['examples/embed/src/main.mjs'], {
      cwd: root,
      env: { ...env, TTLOCK_PASSWORD: '' },
    });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('TTLOCK_PASSWORD is not set'),
    });
  });
});
