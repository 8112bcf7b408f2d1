import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { openWebhookInbox } from '@brafa/store-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configForSandbox } from '../src/sandbox/config.js';
import { acknowledgedWebhook, brafa, tempDir } from './support.js';

/**
 * Every command end to end against the sandbox as a real loopback HTTP server (no msw):
 * the CLI reads a config file, talks HTTP to fake MEWS/Beds24/TBF/TTLock, and writes SQLite.
 */
describe('brafa commands against the sandbox server', () => {
  const tmp = tempDir();
  let running: RunningSandbox;
  let configFile: string;
  const lockWrites = () =>
    running.sandbox
      .calls({ vendor: 'sciener' })
      .filter((c) => /keyboardPwd\/(add|change|delete)/.test(c.endpoint)).length;
  const codesOn = (propertyId: string) =>
    running.sandbox.scenario
      .locks(propertyId)
      .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice));
  const cli = (...args: string[]) => brafa(['--config', configFile, ...args]);

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 11,
        properties: [
          {
            id: 'P1',
            provider: 'mews',
            units: 8,
            entranceLock: true,
            reservations: { count: 20, withinDays: 20, cancelledRatio: 0.1 },
          },
          { id: 'B1', provider: 'beds24', units: 4, reservations: { count: 8, withinDays: 20 } },
          { id: 'T1', provider: 'bookingfactory', units: 3, reservations: { count: 5, withinDays: 20 } },
        ],
      },
    });
    const config = configForSandbox(running, { database: `sqlite:${join(tmp.dir, 'brafa.db')}` });
    configFile = join(tmp.dir, 'brafa.config.json');
    // The secret comes from the environment, as in production.
    writeFileSync(configFile, JSON.stringify({ ...config, secret: '${BRAFA_SECRET}' }, null, 2));
    process.env.BRAFA_SECRET = 'cli-test-passcode-secret';
  });
  afterAll(async () => {
    await running.close();
    tmp.cleanup();
    delete process.env.BRAFA_SECRET;
  });

  it('migrate creates the database', async () => {
    const run = await cli('migrate');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/database is up to date/);
  });

  it('plan prints the operations and changes nothing', async () => {
    const run = await cli('plan', '--property', 'P1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/plan P1: \d+ changes/);
    expect(run.stdout).toMatch(/create +\S+ on \d+: PIN \*{5}\d/);
    expect(lockWrites()).toBe(0);
    const json = JSON.parse((await cli('plan', '--property', 'P1', '--json')).stdout);
    expect(json[0].operations.length).toBeGreaterThan(0);
    // Passcodes are masked in JSON too.
    expect(JSON.stringify(json)).not.toMatch(/"passcode":"\d{6}"/);
  });

  it('sync plans and queues without touching locks; dispatch provisions and writes back', async () => {
    const sync = await cli('sync', '--json');
    expect(sync.code).toBe(0);
    const synced = JSON.parse(sync.stdout);
    expect(synced.syncs.map((s: { propertyId: string }) => s.propertyId)).toEqual(['P1', 'B1', 'T1']);
    expect(lockWrites()).toBe(0);
    const status = JSON.parse((await cli('status', '--json')).stdout);
    expect(status[0].jobs.queued).toBeGreaterThan(0);

    const dispatch = await cli('dispatch');
    expect(dispatch.code).toBe(0);
    expect(dispatch.stdout).toMatch(/dispatch: \d+ jobs \(\d+ ok, 0 to retry, 0 failed\)/);
    // Plain progress (no TTY): every job counted once, the total grows with write-backs.
    expect(dispatch.stdout).toMatch(/locks and write-backs: (\d+)\/\1\n/);
    expect(codesOn('P1').length).toBeGreaterThan(10);
    expect(codesOn('B1').length).toBeGreaterThan(3);
    expect(codesOn('T1').length).toBeGreaterThan(1);
    expect(running.sandbox.inspect.mewsTokens({ propertyId: 'P1' }).length).toBeGreaterThan(5);
    expect(running.sandbox.inspect.beds24InfoItems({ code: 'BRAFA_KEY' }).length).toBeGreaterThan(3);
    expect(running.sandbox.inspect.tbfKeycodes().length).toBeGreaterThan(1);
  });

  it('run with nothing changed makes no lock call and exits 0', async () => {
    const before = lockWrites();
    const run = await cli('run', '--from', new Date().toISOString().slice(0, 10));
    expect(run.code).toBe(0);
    expect(lockWrites()).toBe(before);
    expect(run.stdout).toMatch(/sync P1: \d+ bookings/);
  });

  it('dispatch moves webhooks a stopped `brafa serve` acknowledged into its inbox, and acts on them', async () => {
    const token = running.sandbox.inspect.mewsTokens({ propertyId: 'P1' })[0]!;
    const reservation = running.sandbox.scenario.reservation(token.ServiceOrderId);
    running.sandbox.scenario.changeDates(reservation.id, {
      arrival: reservation.arrival,
      departure: '2099-12-28',
    });
    const database = `sqlite:${join(tmp.dir, 'brafa.db')}`;
    const inbox = await openWebhookInbox(database);
    await inbox!.accept(acknowledgedWebhook('P1', reservation.id));
    inbox!.close();
    expect((await cli('status', '--property', 'P1')).stdout).toMatch(
      /webhooks: 1 acknowledged by brafa serve, not yet queued/,
    );
    const run = await cli('dispatch');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/webhooks: 1 acknowledged by brafa serve, now queued/);
    const moved = running.sandbox.inspect
      .mewsTokens({ propertyId: 'P1' })
      .find((t) => t.ServiceOrderId === reservation.id);
    expect(moved?.ValidityEndUtc).toMatch(/^2099-12-28/);
    // Moved once: a second dispatch finds nothing to move, and status shows nothing waiting.
    expect((await cli('dispatch')).stdout).not.toMatch(/webhooks:/);
    expect((await cli('status', '--property', 'P1')).stdout).not.toMatch(/webhooks:/);
  });

  it('status lists bookings, codes by state and queue depth', async () => {
    const run = await cli('status', '--property', 'P1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/property P1: \d+ bookings/);
    expect(run.stdout).toMatch(/codes: pending 0, active \d+/);
    expect(run.stdout).toMatch(/queue: queued 0/);
  });

  it('units sync pulls units from MEWS', async () => {
    const run = await cli('units', 'sync', '--property', 'P1', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ propertyId: 'P1', units: 8 });
  });

  it('reissue gives a booking new digits on its locks and in MEWS', async () => {
    const token = running.sandbox.inspect.mewsTokens({ propertyId: 'P1' })[0]!;
    const run = await cli('reissue', '--property', 'P1', '--booking', token.ServiceOrderId);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/reissued booking .*: (\d+)\/\1 locks updated/);
    const after = running.sandbox.inspect.mewsTokens({ serviceOrderId: token.ServiceOrderId })[0]!;
    expect(after.Value).not.toBe(token.Value);
    expect(codesOn('P1').some((c) => c.passcode === after.Value)).toBe(true);
    expect(codesOn('P1').some((c) => c.passcode === token.Value)).toBe(false);
  });

  it('audit finds a code deleted behind our back, and --fix puts it back', async () => {
    const lock = running.sandbox.scenario
      .locks('P1')
      .find((l) => l.unitName !== null && codesOn('P1').some((c) => c.lockId === l.lockId))!;
    const victim = running.sandbox.inspect.lockCodes(lock.lockId).find((c) => c.onDevice)!;
    const world = running.sandbox.scenario.world.sciener;
    world.codes.splice(
      world.codes.findIndex((c) => c.keyboardPwdId === victim.keyboardPwdId),
      1,
    );
    const report = await cli('audit', '--property', 'P1');
    expect(report.code).toBe(3);
    expect(report.stdout).toMatch(/missing_on_lock lock \d+ booking/);
    const fix = await cli('audit', '--property', 'P1', '--fix');
    expect(fix.stdout).toMatch(/\(fixed\)/);
    expect(
      running.sandbox.inspect
        .lockCodes(lock.lockId)
        .some((c) => c.onDevice && c.passcode === victim.passcode),
    ).toBe(true);
    expect((await cli('audit', '--property', 'P1')).code).toBe(0);
  });

  it('exits 3 and lists the failures when some items fail', async () => {
    const reservation = running.sandbox.scenario
      .reservations('P1')
      .find((r) => r.state === 'Confirmed' && r.unitName)!;
    running.sandbox.faults.set([
      { vendor: 'sciener', endpoint: '/v3/keyboardPwd/change', rates: { errcode: 1 }, errcodes: [-1003] },
    ]);
    running.sandbox.scenario.changeDates(reservation.id, {
      arrival: reservation.arrival,
      departure: '2099-01-01',
    });
    const run = await cli('run', '--property', 'P1');
    running.sandbox.faults.set([]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/failed: booking .* on lock \d+: .*-1003/);
  });

  it('exits 1 naming the problem for a bad config, a missing file or bad usage', async () => {
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ secret: 'long-enough-secret', sciener: { clientId: 'x' }, properties: [] }),
    );
    const run = await brafa(['--config', bad, 'status']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sciener\.clientSecret/);
    const missing = await brafa(['--config', join(tmp.dir, 'nope.json'), 'status']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read config file .*nope\.json/);
    expect((await brafa(['frobnicate'])).code).toBe(1);
    expect((await cli('run', '--from', 'yesterday')).stderr).toMatch(/--from: expected an ISO date/);
    const noEnv = await brafa(['--config', configFile, 'status'], { BRAFA_SECRET: undefined });
    expect(noEnv.code).toBe(1);
    expect(noEnv.stderr).toMatch(/secret: environment variable BRAFA_SECRET is not set/);
  });
});
