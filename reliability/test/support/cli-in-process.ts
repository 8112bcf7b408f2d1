import { type CliIO, main } from '@brafa/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `brafa` in this process (from source) with captured output; for fast, exact checks. */
export async function brafaInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...process.env, ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
