import { pathToFileURL } from 'node:url';
import { loadConfig, openRuntime } from '@brafa/cli';
import { describeRun, runOnce } from './run-once.mjs';
import { parseTimeOfDay } from './schedule.mjs';
import { startScheduler } from './scheduler.mjs';

/**
 * `node examples/cron-sync/src/main.mjs`
 *
 * Env: BRAFA_CONFIG (default ./brafa.config.json), BACKFILL_AT (server-local HH:mm of the
 * nightly backfill, default 03:00; set TZ to choose the zone).
 */
export async function main(env = process.env) {
  const config = await loadConfig(env.BRAFA_CONFIG ?? './brafa.config.json', env);
  const nightlyAt = parseTimeOfDay(env.BACKFILL_AT ?? '03:00');
  const runtime = await openRuntime(config);

  const scheduler = startScheduler({
    nightlyAt,
    run: async (kind) => console.log(describeRun(await runOnce(runtime.engine, { kind }))),
  });
  const { nightly } = scheduler.nextRuns();
  console.log(`scheduled: sync every 5 minutes, backfill next at ${nightly.toISOString()}`);

  const shutdown = async (signal) => {
    console.log(`${signal}: finishing the current run, then exiting`);
    await scheduler.stop();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
