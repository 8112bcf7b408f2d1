import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
const bin = join(repoRoot, 'packages', 'cli', 'bin', 'brafa.mjs');
const dist = join(repoRoot, 'packages', 'cli', 'dist', 'bin.js');

/**
 * These suites run the real `brafa` executable as a child process (crashes must be real
 * process deaths). They never build it: CI builds before testing, so a missing dist/ is a
 * setup error that must say how to fix it rather than fail somewhere obscure.
 */
export function requireBuiltCli(): void {
  if (!existsSync(dist)) {
    throw new Error(
      `the brafa CLI is not built (${dist} is missing): run \`pnpm build\` at the repository root before these tests`,
    );
  }
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when this harness killed the process (SIGKILL). */
  killed: boolean;
}

export interface BrafaChild {
  child: ChildProcess;
  done: Promise<ChildResult>;
  /** SIGKILL now (a crash: no cleanup, no finally blocks, no graceful shutdown). */
  kill(): void;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill with SIGKILL after this many milliseconds (if still running). */
  killAfterMs?: number;
  /** Safety net: kill after this long and report it (a hung child must not hang the suite). */
  timeoutMs?: number;
}

/** `node packages/cli/bin/brafa.mjs --config <file> <args…>` with captured output. */
export function spawnBrafa(configFile: string, args: string[], options: SpawnOptions = {}): BrafaChild {
  requireBuiltCli();
  const child = spawn(process.execPath, [bin, '--config', configFile, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if (options.killAfterMs !== undefined) timers.push(setTimeout(kill, options.killAfterMs));
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timedOut = false;
  timers.push(
    setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs),
  );
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      if (timedOut) {
        reject(new Error(`brafa ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
        return;
      }
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
  return { child, done, kill };
}

/** Run to completion (no kill) and return the result. */
export function runBrafa(
  configFile: string,
  args: string[],
  options: Omit<SpawnOptions, 'killAfterMs'> = {},
) {
  return spawnBrafa(configFile, args, options).done;
}

/** The JSON document a `--json` command printed (the last top-level JSON value on stdout). */
export function parseJsonOutput<T = unknown>(result: ChildResult): T {
  const text = result.stdout.trim();
  const start = text.search(/^[[{]/m);
  if (start < 0) throw new Error(`no JSON on stdout (exit ${result.code}): ${text}\n${result.stderr}`);
  return JSON.parse(text.slice(start)) as T;
}
