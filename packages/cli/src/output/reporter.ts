import type { Redactor } from '@brafa/core';
import { SingleBar } from 'cli-progress';

export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export interface Progress {
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * Everything the CLI prints goes through here: plain lines for people and logs, one JSON
 * document with `--json`, a progress bar only on a TTY — and every string passes the redactor.
 */
export class Reporter {
  private redactor: Redactor | undefined;

  constructor(
    private readonly io: CliIO,
    readonly json: boolean,
  ) {}

  useRedactor(redactor: Redactor): void {
    this.redactor = redactor;
  }

  private clean(text: string): string {
    return this.redactor ? this.redactor.text(text) : text;
  }

  /** A human line (suppressed in JSON mode, where only the final document is printed). */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${this.clean(text)}\n`);
  }

  /** The command's result: a JSON document, or nothing more in plain mode. */
  result(value: unknown): void {
    if (this.json) this.io.stdout.write(`${this.clean(JSON.stringify(value, null, 2))}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`brafa: ${this.clean(text)}\n`);
  }

  progress(label: string, total: number): Progress {
    if (this.json || !this.io.stdout.isTTY || total === 0) {
      let done = 0;
      let size = total;
      return {
        increment: (by = 1) => {
          done += by;
        },
        setTotal: (t) => {
          size = t;
        },
        stop: () => {
          if (!this.json && size > 0) this.line(`${label}: ${done}/${size}`);
        },
      };
    }
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(total, 0);
    return {
      increment: (by = 1) => bar.increment(by),
      setTotal: (t) => bar.setTotal(t),
      stop: () => bar.stop(),
    };
  }
}
