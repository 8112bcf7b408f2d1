/**
 * A throwaway PostgreSQL server for tests, self-contained so other packages can copy it.
 *
 * How a server is found or started (first that applies):
 * 1. `BRAFA_TEST_POSTGRES_URL` — use that server as is (an admin URL, e.g.
 *    `postgres://postgres@127.0.0.1:5432/postgres`); nothing is started or stopped.
 * 2. Otherwise start a private cluster from the PostgreSQL binaries: `BRAFA_PG_BIN`, else the
 *    newest `/usr/lib/postgresql/<version>/bin` (Debian/Ubuntu `postgresql` package), else the
 *    directory `pg_config --bindir` names. `initdb` refuses to run as root, so as root every
 *    command runs as the `postgres` OS user (`runuser -u postgres --`, or `su` without runuser)
 *    on a temp dir chown'ed to it; as any other user, commands run directly.
 *    The cluster listens on 127.0.0.1 only, on a random free port, with a socket in the temp
 *    dir, trust auth, fsync off (throwaway data). `stop()` stops it and deletes the dir; an
 *    exit hook does the same if the process ends without calling it.
 * When neither works, `startPostgres` resolves `{ ok: false, reason }` and callers skip loudly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  /** Superuser URL of the `postgres` database (create and drop test databases through it). */
  adminUrl: string;
  /** URL of another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export type StartPostgresResult = { ok: true; server: PostgresServer } | { ok: false; reason: string };

const SUPERUSER = 'postgres';

export async function startPostgres(): Promise<StartPostgresResult> {
  const external = process.env.BRAFA_TEST_POSTGRES_URL;
  if (external)
    return {
      ok: true,
      server: { adminUrl: external, urlFor: (db) => withDatabase(external, db), stop: async () => {} },
    };

  const bin = findBinDir();
  if (!bin)
    return {
      ok: false,
      reason: 'no PostgreSQL binaries (install the `postgresql` package or set BRAFA_PG_BIN)',
    };
  const runAs = resolveRunAs();
  if (!runAs.ok) return runAs;

  const dir = mkdtempSync(join(runAs.user ? '/tmp' : tmpdir(), 'brafa-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const cleanup = () => {
    runAs.run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => cleanup();
  try {
    if (runAs.user) chownSync(dir, runAs.user.uid, runAs.user.gid);
    const init = runAs.run(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      SUPERUSER,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        '-h 127.0.0.1',
        `-k ${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      const started = runAs.run(join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        log,
        '-w',
        '-t',
        '60',
        '-o',
        options,
        'start',
      ]);
      if (started.status === 0) {
        process.once('exit', onExit);
        const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
        return {
          ok: true,
          server: {
            adminUrl,
            urlFor: (db) => withDatabase(adminUrl, db),
            stop: async () => {
              process.removeListener('exit', onExit);
              cleanup();
            },
          },
        };
      }
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
      // Another process may have taken the port between our probe and the bind: try another.
      if (attempt >= 3 || !/could not bind|address already in use/i.test(serverLog)) {
        throw new Error(`pg_ctl start failed: ${started.output}\n${serverLog}`);
      }
    }
  } catch (error) {
    cleanup();
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function findBinDir(): string | undefined {
  const fromEnv = process.env.BRAFA_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config on PATH
  }
  return undefined;
}

interface RunResult {
  status: number | null;
  output: string;
}

type RunAs =
  | { ok: true; user: { uid: number; gid: number } | null; run: (cmd: string, args: string[]) => RunResult }
  | { ok: false; reason: string };

function resolveRunAs(): RunAs {
  const exec = (cmd: string, args: string[]): RunResult => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
    return {
      status: r.status,
      output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim(),
    };
  };
  if (process.getuid?.() !== 0) return { ok: true, user: null, run: exec };

  const name = process.env.BRAFA_PG_OS_USER ?? 'postgres';
  const uid = exec('id', ['-u', name]);
  const gid = exec('id', ['-g', name]);
  if (uid.status !== 0 || gid.status !== 0) {
    return { ok: false, reason: `running as root and there is no '${name}' OS user to run initdb as` };
  }
  const user = { uid: Number(uid.output), gid: Number(gid.output) };
  const hasRunuser = exec('sh', ['-c', 'command -v runuser']).status === 0;
  const run = hasRunuser
    ? (cmd: string, args: string[]) => exec('runuser', ['-u', name, '--', cmd, ...args])
    : (cmd: string, args: string[]) =>
        exec('su', [name, '-s', '/bin/sh', '-c', [cmd, ...args].map(shellQuote).join(' ')]);
  return { ok: true, user, run };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
