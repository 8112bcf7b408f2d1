import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrafaConfig, configForSandbox, type SandboxConfigOptions } from '@brafa/cli';
import { type RunningSandbox, type StartSandboxOptions, startSandbox } from '@brafa/sandbox';

export interface TempDir {
  dir: string;
  cleanup(): void;
}

export function tempDir(prefix = 'brafa-reliability-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface World {
  running: RunningSandbox;
  configFile: string;
  /** The config as written (every secret in it, for the secrets checks). */
  config: BrafaConfig;
  database: string;
  close(): Promise<void>;
}

/**
 * A loopback sandbox in this process plus a config file for it. The child `brafa`
 * processes reach the fakes over HTTP on 127.0.0.1; the test inspects the fakes directly.
 */
export async function startWorld(
  options: StartSandboxOptions,
  dir: string,
  config: Partial<SandboxConfigOptions> & {
    database?: string;
    /** Changes to the generated config before it is written (e.g. a retry policy). */
    patch?: (config: BrafaConfig) => BrafaConfig;
  } = {},
): Promise<World> {
  const running = await startSandbox({ host: '127.0.0.1', ...options });
  const database = config.database ?? `sqlite:${join(dir, 'brafa.db')}`;
  const { patch, ...builder } = config;
  const generated = configForSandbox(running, { ...builder, database });
  const built = patch ? patch(generated) : generated;
  const configFile = join(dir, 'brafa.config.json');
  writeFileSync(configFile, JSON.stringify(built, null, 2));
  return { running, configFile, config: built, database, close: () => running.close() };
}
