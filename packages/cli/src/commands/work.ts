import type { EngineEvent, PropertyStatus } from '@brafa/core';
import type { Progress } from '../output/reporter.js';
import {
  type CommandContext,
  dispatchLine,
  EXIT,
  errorMessage,
  hasFailures,
  moveLeftoverWebhooks,
  propertyIds,
  statusLines,
  windowOf,
  withRuntime,
} from './shared.js';

export interface WorkOptions {
  property?: string;
  from?: string;
  to?: string;
}

/**
 * Progress over jobs, fed by engine events: each finished job (done, retried later or dead)
 * counts once; jobs enqueued during the run (write-backs, re-plans) grow the total.
 */
function progressFeed(): { onEvent: (e: EngineEvent) => void; attach: (p: Progress, total: number) => void } {
  let progress: Progress | undefined;
  let done = 0;
  let total = 0;
  return {
    onEvent: (e) => {
      if (e.type !== 'job.done' && e.type !== 'job.retry' && e.type !== 'job.dead') return;
      done++;
      if (done > total) {
        total = done;
        progress?.setTotal(total);
      }
      progress?.increment();
    },
    attach: (p, queued) => {
      progress = p;
      total = queued;
    },
  };
}

/** `brafa run`: sync then dispatch until no due work is left. */
export async function runCommand(
  ctx: CommandContext,
  o: WorkOptions,
  mode: 'run' | 'sync' | 'dispatch',
): Promise<number> {
  const feed = progressFeed();
  return withRuntime(
    ctx,
    async (rt, config) => {
      const started = Date.now();
      const ids = propertyIds(config, o.property);
      const window = windowOf(o.from, o.to);
      const syncs: Array<{
        propertyId: string;
        bookings: number;
        quarantined: number;
        operations: number;
        skipped: boolean;
      }> = [];
      const errors: Array<{ propertyId: string; error: string }> = [];
      if (mode !== 'dispatch') {
        for (const id of ids) {
          try {
            const s = await rt.engine.syncProperty(id, window ? { window } : {});
            syncs.push(s);
            ctx.reporter.line(
              s.skipped
                ? `sync ${id}: skipped (disabled)`
                : `sync ${id}: ${s.bookings} bookings, ${s.quarantined} quarantined, ${s.operations} changes planned`,
            );
          } catch (error) {
            errors.push({ propertyId: id, error: errorMessage(error) });
            ctx.reporter.error(`sync ${id} failed: ${errorMessage(error)}`);
          }
        }
      }
      let dispatch: Awaited<ReturnType<typeof rt.engine.dispatch>> | undefined;
      if (mode !== 'sync') {
        const moved = await moveLeftoverWebhooks(rt);
        if (moved) ctx.reporter.line(`webhooks: ${moved} acknowledged by brafa serve, now queued`);
        const queued = (await rt.store.countJobs()).queued;
        const progress = ctx.reporter.progress('locks and write-backs', queued);
        feed.attach(progress, queued);
        dispatch = await rt.engine.dispatch(o.property ? { propertyId: o.property } : {});
        progress.stop();
        ctx.reporter.line(dispatchLine(dispatch));
      }
      const statuses: PropertyStatus[] = [];
      for (const id of ids) statuses.push(await rt.engine.status(id));
      const failing = statuses.filter(hasFailures);
      const behind = statuses.filter((s) => hasFailures(s) || s.writeBackPending.length > 0);
      for (const s of behind) for (const l of statusLines(s).slice(3)) ctx.reporter.line(l);
      const seconds = (Date.now() - started) / 1000;
      ctx.reporter.line(`done in ${seconds.toFixed(1)} s`);
      ctx.reporter.result({ syncs, errors, dispatch, statuses, seconds });
      if (errors.length && errors.length === ids.length && mode !== 'dispatch') return EXIT.error;
      return errors.length || failing.length || (dispatch?.dead ?? 0) > 0 ? EXIT.partial : EXIT.ok;
    },
    { onEvent: feed.onEvent },
  );
}
