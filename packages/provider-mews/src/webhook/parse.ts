import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AuthError,
  parseOrThrow,
  ValidationError,
  type WebhookEvent,
  type WebhookRequest,
} from '@brafa/core';
import { z } from 'zod';

const eventSchema = z.looseObject({
  Discriminator: z.string().min(1, 'must name the event'),
  Value: z.looseObject({ Id: z.string().optional() }),
});

/** The General Webhook envelope (reference §11.2). */
const envelopeSchema = z.looseObject({
  EnterpriseId: z.string().min(1, 'must be a non-empty string'),
  IntegrationId: z.string().min(1, 'must be a non-empty string'),
  Events: z.array(eventSchema),
});

/** The older Integration Webhook form (`{ Action, Data }`): lifecycle events, acknowledged only. */
const integrationSchema = z.looseObject({ Action: z.string().min(1), Data: z.unknown() });

/** The `Token` query parameter, whatever case the framework kept it in. */
function queryToken(query: WebhookRequest['query']): string | undefined {
  if (query.Token !== undefined) return query.Token;
  const key = Object.keys(query).find((k) => k.toLowerCase() === 'token');
  return key === undefined ? undefined : query[key];
}

/**
 * Constant-time comparison. Both sides are hashed first, so the buffers always have equal
 * length and neither the content nor the length of the secret leaks through timing.
 */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError('body', 'malformed JSON');
  }
}

/** The enterprise a General Webhook is for, to route it to a property; null when absent or malformed. */
export function mewsWebhookEnterpriseId(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const id =
      parsed && typeof parsed === 'object' ? (parsed as { EnterpriseId?: unknown }).EnterpriseId : undefined;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}

export interface ParseWebhookOptions {
  webhookToken: string;
  /** When set, a batch for another enterprise is refused (it was routed to the wrong property). */
  enterpriseId?: string | null;
}

/**
 * Authenticate and read one MEWS webhook POST, without I/O. `ServiceOrderUpdated` ids
 * become one de-duplicated `bookings.changed`; any `ResourceUpdated` becomes one
 * `units.changed`; every other event is `ignored` (once per name).
 */
export function parseMewsWebhook(request: WebhookRequest, options: ParseWebhookOptions): WebhookEvent[] {
  if (!tokenMatches(queryToken(request.query), options.webhookToken)) {
    throw new AuthError('MEWS webhook: missing or wrong Token query parameter');
  }
  if (request.method.toUpperCase() !== 'POST') {
    throw new ValidationError('method', `expected POST, got ${request.method}`);
  }
  const json = parseJson(request.body);
  if (json && typeof json === 'object' && 'Action' in json && !('Events' in json)) {
    const integration = parseOrThrow(integrationSchema, json, 'body');
    return [{ type: 'ignored', name: integration.Action }];
  }
  const envelope = parseOrThrow(envelopeSchema, json, 'body');
  if (options.enterpriseId && envelope.EnterpriseId !== options.enterpriseId) {
    throw new ValidationError('body.EnterpriseId', 'does not match the enterprise of this property');
  }
  const bookingIds = new Set<string>();
  let unitsChanged = false;
  const ignored = new Set<string>();
  envelope.Events.forEach((event, index) => {
    if (event.Discriminator === 'ServiceOrderUpdated' || event.Discriminator === 'ResourceUpdated') {
      const id = event.Value.Id;
      if (!id) throw new ValidationError(`body.Events.${index}.Value.Id`, 'must be a non-empty string');
      if (event.Discriminator === 'ServiceOrderUpdated') bookingIds.add(id);
      else unitsChanged = true;
    } else {
      ignored.add(event.Discriminator);
    }
  });
  const events: WebhookEvent[] = [];
  if (bookingIds.size) events.push({ type: 'bookings.changed', bookingIds: [...bookingIds] });
  if (unitsChanged) events.push({ type: 'units.changed' });
  for (const name of ignored) events.push({ type: 'ignored', name });
  return events;
}
