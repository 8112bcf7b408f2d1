import { AuthError, BrafaError, TransientError, ValidationError } from '@brafa/core';
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.js';
import {
  auditCommand,
  migrateCommand,
  planCommand,
  reissueCommand,
  statusCommand,
  unitsSyncCommand,
} from './commands/inspect.js';
import { serveCommand } from './commands/serve.js';
import { type CommandContext, EXIT, errorMessage, type GlobalOptions } from './commands/shared.js';
import { runCommand } from './commands/work.js';
import { ConfigError } from './config/load.js';
import { type CliIO, processIO, Reporter } from './output/reporter.js';

const VERSION = '0.1.0';

/**
 * The `brafa` command line. Returns the exit code: 0 when everything succeeded, 1 on a usage,
 * config or connection error (the message names the problem), 3 when the run finished but
 * some items failed (they are listed).
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  let reporter = new Reporter(io, argv.includes('--json'));
  const program = new Command('brafa')
    .description('Keep smart-lock passcodes in step with bookings.')
    .version(VERSION)
    .option('-c, --config <file>', 'config file', './brafa.config.json')
    .option('--json', 'print one JSON document instead of lines', false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError(false);

  const ctx = (): CommandContext => {
    const options = program.opts<GlobalOptions>();
    reporter = new Reporter(io, options.json);
    return { options, reporter, env: io.env };
  };
  const act =
    <A extends unknown[]>(fn: (c: CommandContext, ...args: A) => Promise<number>) =>
    async (...args: A) => {
      exitCode = await fn(ctx(), ...args);
    };

  program
    .command('migrate')
    .description('create or upgrade the database')
    .action(act((c) => migrateCommand(c)));
  for (const [name, description] of [
    ['run', 'sync then dispatch until no due work is left'],
    ['sync', 'fetch bookings and plan, without touching locks'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--property <id>', 'only this property')
      .option('--from <date>', 'window start (ISO date; default today - 7 days)')
      .option('--to <date>', 'window end (ISO date; default today + 30 days)')
      .action(act((c, o: { property?: string; from?: string; to?: string }) => runCommand(c, o, name)));
  }
  program
    .command('dispatch')
    .description('run due lock and write-back jobs until none is left')
    .option('--property <id>', 'only this property')
    .action(act((c, o: { property?: string }) => runCommand(c, o, 'dispatch')));
  program
    .command('plan')
    .description('dry run: read the PMS, print the operations, change nothing')
    .option('--property <id>', 'only this property')
    .action(act((c, o: { property?: string }) => planCommand(c, o)));
  program
    .command('status')
    .description('bookings, codes by state, failures with reasons, queue depth')
    .option('--property <id>', 'only this property')
    .action(act((c, o: { property?: string }) => statusCommand(c, o)));
  program
    .command('units')
    .description('unit commands')
    .command('sync')
    .description('pull units from the PMS into units and unit mappings')
    .requiredOption('--property <id>', 'property id')
    .action(act((c, o: { property: string }) => unitsSyncCommand(c, o)));
  program
    .command('reissue')
    .description('give a booking new digits (even after check-in)')
    .requiredOption('--property <id>', 'property id')
    .requiredOption('--booking <id>', 'booking id')
    .action(act((c, o: { property: string; booking: string }) => reissueCommand(c, o)));
  program
    .command('audit')
    .description("compare each lock's real codes with the store")
    .option('--property <id>', 'only this property')
    .option('--fix', 're-plan so the locks converge', false)
    .option('--delete-unknown', 'with --fix, also delete codes we did not create', false)
    .action(act((c, o: { property?: string; fix?: boolean; deleteUnknown?: boolean }) => auditCommand(c, o)));
  program
    .command('serve')
    .description('webhook service with a worker loop')
    .option('--port <n>', 'port', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(act((c, o: { port?: string; host?: string }) => serveCommand(c, o)));
  program
    .command('demo')
    .description('run the whole flow against an in-process sandbox')
    .option('--db <file>', 'SQLite file for the demo', './brafa-demo.db')
    .option('--reservations <n>', 'reservations to seed', '200')
    .action(act((c, o: { db: string; reservations: string }) => demoCommand(c, o)));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.error;
    }
    if (error instanceof ConfigError || error instanceof ValidationError || error instanceof RangeError) {
      reporter.error(errorMessage(error));
      return EXIT.error;
    }
    if (error instanceof AuthError || error instanceof TransientError || error instanceof BrafaError) {
      reporter.error(`${error.name}: ${errorMessage(error)}`);
      return EXIT.error;
    }
    reporter.error(`unexpected error: ${errorMessage(error)}`);
    return EXIT.error;
  }
}
