import type { z } from 'zod';
import { ValidationError } from '../errors/errors.js';

/**
 * Parse with a zod schema and throw a `ValidationError` naming the first bad field, e.g.
 * `properties.0.timezone: not a valid IANA time zone`.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [what, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw new ValidationError(path, issue?.message ?? 'invalid value');
}

/** Like `parseOrThrow` but returns the reason instead of throwing (for quarantine). */
export function parseOrReason<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  return { ok: false, reason: `${path || 'record'}: ${issue?.message ?? 'invalid value'}` };
}
