import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

/**
 * Bundles a TypeScript fixture (and the package source it imports, through the workspace
 * `@brafa/source` condition) into one plain ESM file that `node` runs without any loader.
 * The output sits under this package's node_modules so Node finds the external dependencies.
 */
export async function bundleFixture(name: string): Promise<string> {
  const outDir = join(packageDir, 'node_modules', '.cache', 'brafa-test-fixtures');
  mkdirSync(outDir, { recursive: true });
  await build({
    config: false,
    entry: { [name]: join(packageDir, 'test', 'fixtures', `${name}.ts`) },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    // Workspace packages are bundled from source; this package's own dependencies (kysely,
    // better-sqlite3, pg) stay external and load from node_modules like in production.
    // (tsup reads dependencies from the cwd's package.json, the workspace root: name them.)
    noExternal: [/^@brafa\//],
    external: ['kysely', 'better-sqlite3', 'pg'],
    splitting: false,
    outExtension: () => ({ js: '.mjs' }),
    esbuildOptions(options) {
      options.conditions = ['@brafa/source'];
    },
  });
  return join(outDir, `${name}.mjs`);
}

export interface RunningChild {
  child: ChildProcess;
  /** The first JSON line the child prints. */
  firstLine: Promise<unknown>;
  /** SIGKILL, then wait until the process is gone. */
  kill(): Promise<void>;
}

export function runChild(script: string, args: string[]): RunningChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = new Promise<unknown>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(buffer.slice(0, newline)));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before reporting: ${stderr}`)),
    );
  });
  return {
    child,
    firstLine,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
