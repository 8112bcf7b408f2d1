import { existsSync } from 'node:fs';
import {
  BrafaError,
  type DispatchResult,
  maskPasscode,
  type Plan,
  type PropertyStatus,
  ValidationError,
} from '@brafa/core';
import { openWebhookInbox, webhookInboxPath } from '@brafa/store-kysely';
import { loadConfig } from '../config/load.js';
import type { BrafaConfig } from '../config/schema.js';
import type { Reporter } from '../output/reporter.js';
import { openRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';

export const EXIT = { ok: 0, error: 1, partial: 3 } as const;

export interface GlobalOptions {
  config: string;
  json: boolean;
}

export interface CommandContext {
  options: GlobalOptions;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
}

/** Load the config and open everything; the reporter learns every secret first. */
export async function withRuntime<T>(
  ctx: CommandContext,
  fn: (rt: Runtime, config: BrafaConfig) => Promise<T>,
  options: RuntimeOptions = {},
): Promise<T> {
  const config = await loadConfig(ctx.options.config, ctx.env);
  const rt = await openRuntime(config, options);
  ctx.reporter.useRedactor(rt.redactor);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

/**
 * Webhooks a `brafa serve` acknowledged into its inbox file (`<database>-inbox`) and did not
 * move into the database before it stopped (killed, or replaced by cron runs): moved now, so
 * their jobs run with this dispatch. Nothing happens when there is no inbox file.
 */
export async function moveLeftoverWebhooks(rt: Runtime): Promise<number> {
  const path = webhookInboxPath(rt.config.database);
  if (path === undefined || !existsSync(path)) return 0;
  const inbox = await openWebhookInbox(rt.config.database);
  try {
    return (await inbox?.moveInto(rt.store)) ?? 0;
  } finally {
    inbox?.close();
  }
}

export function propertyIds(config: BrafaConfig, only?: string): string[] {
  if (!only) return config.properties.map((p) => p.id);
  if (!config.properties.some((p) => p.id === only))
    throw new ValidationError('--property', `unknown property ${only}`);
  return [only];
}

/** `--from`/`--to` as a window; dates are whole days (UTC), inclusive of the end day. */
export function windowOf(from?: string, to?: string): { start: Date; end: Date } | undefined {
  if (!from && !to) return undefined;
  const day = 86_400_000;
  const today = new Date(new Date().toISOString().slice(0, 10));
  const start = from ? parseDate('--from', from) : new Date(today.getTime() - 7 * day);
  const end = to ? new Date(parseDate('--to', to).getTime() + day) : new Date(today.getTime() + 31 * day);
  if (end <= start) throw new ValidationError('--to', 'must not be before --from');
  return { start, end };
}

function parseDate(flag: string, value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(flag, `expected an ISO date like 2026-05-01, got "${value}"`);
  }
  return new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
}

export function describePlan(plan: Plan): string[] {
  const lines: string[] = [];
  for (const op of plan.operations) {
    const when = (a: Date, b: Date) => `${a.toISOString()} -> ${b.toISOString()}`;
    switch (op.kind) {
      case 'create':
        lines.push(
          `create     ${op.code.bookingId} on ${op.code.lockId}: PIN ${maskPasscode(op.code.passcode)} ${when(op.code.validFrom, op.code.validTo)}`,
        );
        break;
      case 'reschedule':
        lines.push(
          `reschedule ${op.code.bookingId} on ${op.code.lockId}: ${when(op.code.validFrom, op.code.validTo)}${op.passcodeChanged ? ' (new PIN)' : ''}`,
        );
        break;
      case 'move':
        lines.push(`move       ${op.create.bookingId}: ${op.revoke.lockId} -> ${op.create.lockId}`);
        break;
      case 'revoke':
        lines.push(`revoke     ${op.bookingId} on ${op.lockId} (${op.reason})`);
        break;
      case 'noop':
        break;
    }
  }
  for (const s of plan.skipped)
    if (s.reason !== 'access window has ended' && s.reason !== 'cancelled')
      lines.push(`no code    ${s.bookingId}: ${s.reason}`);
  return lines;
}

/** A plan as JSON: passcodes masked, never printed whole. */
export function planJson(plan: Plan): unknown {
  return JSON.parse(
    JSON.stringify(plan, (key, value) =>
      key === 'passcode' && typeof value === 'string' ? maskPasscode(value) : value,
    ),
  );
}

export function statusLines(s: PropertyStatus): string[] {
  const lines = [
    `property ${s.propertyId}${s.enabled ? '' : ' (disabled)'}: ${s.bookings} bookings`,
    `  codes: ${Object.entries(s.codes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  queue: ${Object.entries(s.jobs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  for (const f of s.failures) lines.push(`  failed: booking ${f.bookingId} on lock ${f.lockId}: ${f.reason}`);
  for (const i of s.bookingIssues) lines.push(`  no code: booking ${i.bookingId}: ${i.issue}`);
  for (const w of s.writeBackErrors) lines.push(`  write-back failed: booking ${w.bookingId}: ${w.error}`);
  for (const w of s.writeBackPending)
    lines.push(`  write-back pending: booking ${w.bookingId} (${w.action}): ${w.reason}`);
  for (const d of s.deadJobs) lines.push(`  dead job ${d.id} (${d.kind}): ${d.error ?? ''}`);
  return lines;
}

export function hasFailures(s: PropertyStatus): boolean {
  return s.failures.length > 0 || s.writeBackErrors.length > 0 || s.deadJobs.length > 0;
}

export function dispatchLine(d: DispatchResult): string {
  return `dispatch: ${d.processed} jobs (${d.succeeded} ok, ${d.retried} to retry, ${d.dead} failed)`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof BrafaError || error instanceof Error) return error.message;
  return String(error);
}
