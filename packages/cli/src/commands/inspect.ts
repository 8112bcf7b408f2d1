import type { Plan, PropertyStatus } from '@brafa/core';
import { countWaitingWebhooks } from '@brafa/store-kysely';
import {
  type CommandContext,
  describePlan,
  EXIT,
  hasFailures,
  planJson,
  propertyIds,
  statusLines,
  withRuntime,
} from './shared.js';

/** `brafa plan`: what would change, nothing written (passcodes masked). */
export async function planCommand(ctx: CommandContext, o: { property?: string }): Promise<number> {
  return withRuntime(ctx, async (rt, config) => {
    const plans: Plan[] = [];
    for (const id of propertyIds(config, o.property)) {
      const plan = await rt.engine.plan(id, { fetch: true });
      plans.push(plan);
      const lines = describePlan(plan);
      ctx.reporter.line(`plan ${id}: ${plan.operations.filter((op) => op.kind !== 'noop').length} changes`);
      for (const l of lines) ctx.reporter.line(`  ${l}`);
    }
    ctx.reporter.result(plans.map(planJson));
    return EXIT.ok;
  });
}

/** `brafa status`: bookings, codes by state, failures with reasons, queue depth. */
export async function statusCommand(ctx: CommandContext, o: { property?: string }): Promise<number> {
  return withRuntime(ctx, async (rt, config) => {
    const statuses: PropertyStatus[] = [];
    for (const id of propertyIds(config, o.property)) {
      const s = await rt.engine.status(id);
      statuses.push(s);
      for (const l of statusLines(s)) ctx.reporter.line(l);
    }
    const waiting = await countWaitingWebhooks(rt.config.database, rt.store);
    if (waiting)
      ctx.reporter.line(
        `webhooks: ${waiting} acknowledged by brafa serve, not yet queued (serve moves them when it runs; so does brafa dispatch)`,
      );
    ctx.reporter.result(statuses);
    return statuses.some(hasFailures) ? EXIT.partial : EXIT.ok;
  });
}

export async function migrateCommand(ctx: CommandContext): Promise<number> {
  return withRuntime(ctx, async (_rt, config) => {
    ctx.reporter.line(`database is up to date (${config.database.replace(/\/\/[^@]*@/, '//***@')})`);
    ctx.reporter.result({ migrated: true });
    return EXIT.ok;
  });
}

export async function unitsSyncCommand(ctx: CommandContext, o: { property: string }): Promise<number> {
  return withRuntime(ctx, async (rt, config) => {
    propertyIds(config, o.property);
    const units = await rt.engine.syncUnits(o.property);
    ctx.reporter.line(`units ${o.property}: ${units} units synced`);
    ctx.reporter.result({ propertyId: o.property, units });
    return EXIT.ok;
  });
}

/** `brafa reissue`: new digits for one booking (even after check-in), pushed to its locks now. */
export async function reissueCommand(
  ctx: CommandContext,
  o: { property: string; booking: string },
): Promise<number> {
  return withRuntime(ctx, async (rt, config) => {
    propertyIds(config, o.property);
    await rt.engine.reissue(o.property, o.booking);
    const dispatch = await rt.engine.dispatch({ propertyId: o.property });
    const codes = await rt.store.listAccessCodes({ propertyId: o.property, bookingId: o.booking });
    const failed = codes.filter((c) => c.state !== 'active');
    ctx.reporter.line(
      `reissued booking ${o.booking}: ${codes.length - failed.length}/${codes.length} locks updated`,
    );
    for (const c of failed)
      ctx.reporter.line(`  lock ${c.lockId}: ${c.state}${c.lastError ? ` (${c.lastError})` : ''}`);
    ctx.reporter.result({
      propertyId: o.property,
      bookingId: o.booking,
      dispatch,
      locks: codes.map((c) => ({ lockId: c.lockId, state: c.state, error: c.lastError })),
    });
    return failed.length ? EXIT.partial : EXIT.ok;
  });
}

/** `brafa audit`: the locks' real codes against the store; `--fix` makes them converge. */
export async function auditCommand(
  ctx: CommandContext,
  o: { property?: string; fix?: boolean; deleteUnknown?: boolean },
): Promise<number> {
  return withRuntime(ctx, async (rt, config) => {
    const reports = [];
    for (const id of propertyIds(config, o.property)) {
      const report = await rt.engine.audit(id, {
        fix: Boolean(o.fix),
        deleteUnknown: Boolean(o.deleteUnknown),
      });
      reports.push(report);
      ctx.reporter.line(
        `audit ${id}: ${report.locks} locks, ${report.codesOnLocks} codes on them, ${report.findings.length} findings`,
      );
      for (const f of report.findings) {
        ctx.reporter.line(
          `  ${f.kind} lock ${f.lockId}${f.bookingId ? ` booking ${f.bookingId}` : ''}: ${f.detail}${f.fixed ? ' (fixed)' : ''}`,
        );
      }
    }
    if (o.fix) {
      const dispatch = await rt.engine.dispatch(o.property ? { propertyId: o.property } : {});
      ctx.reporter.line(`dispatch: ${dispatch.processed} jobs`);
    }
    ctx.reporter.result(reports);
    const open = reports.flatMap((r) => r.findings).filter((f) => !f.fixed && f.kind !== 'unknown_on_lock');
    return open.length ? EXIT.partial : EXIT.ok;
  });
}
