import { createHash } from 'node:crypto';
import type { Property } from '../domain/schemas.js';
import { JOB_KINDS, planJobKey } from '../engine/context.js';
import type { EngineEventHandler } from '../engine/events.js';
import { AuthError, describeError, ValidationError } from '../errors/errors.js';
import { Redactor } from '../logging/redact.js';
import { type Clock, systemClock } from '../ports/clock.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { PmsProvider, WebhookEvent } from '../ports/pms.js';
import type { NewJob, Store, WebhookLog } from '../ports/store.js';

export interface IncomingWebhook {
  propertyId: string;
  method: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** Raw body exactly as received. */
  body: string | Uint8Array;
}

export interface WebhookResponse {
  status: number;
  body: { ok: boolean; message: string; jobs?: number };
}

/** What an accepted webhook must make durable before it is answered 202. */
export interface AcceptedWebhook {
  jobs: NewJob[];
  log: WebhookLog;
  now: Date;
}

/** Makes an accepted webhook durable; resolves once it is (the 202 is sent after that). */
export type WebhookSink = (accepted: AcceptedWebhook) => Promise<void>;

/** The default sink: the jobs and the log row in one transaction of the store. */
export function storeSink(store: Store): WebhookSink {
  return ({ jobs, log, now }) =>
    store.transaction(async (tx) => {
      if (jobs.length) await tx.enqueueJobs(jobs, now);
      await tx.appendWebhookLog(log);
    });
}

export interface WebhookHandlerOptions {
  store: Store;
  /**
   * Where an accepted webhook's jobs and log row go (default: `storeSink(store)`). A service
   * on SQLite passes an inbox in a file of its own here (the SQL store package's
   * `WebhookInbox`), so acks never wait for the write lock a worker holds on the database.
   */
  accept?: WebhookSink;
  providers: (property: Property) => PmsProvider | undefined;
  clock?: Clock;
  logger?: Logger;
  onEvent?: EngineEventHandler;
  /** Larger bodies get 413 (default 1 MiB). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const redactor = new Redactor();

/**
 * The raw payload as logged: some PMS events carry live credentials (an integration's new
 * access token or API key), so secret-named fields are cut out and passcodes masked.
 */
export function redactPayload(body: string): string {
  try {
    return JSON.stringify(redactor.value(JSON.parse(body)));
  } catch {
    return body;
  }
}

/**
 * A framework-agnostic webhook endpoint: `(request) → { status, body }`. It authenticates
 * through the provider's parser, logs the raw payload, turns events into de-duplicated jobs
 * and answers 202 at once — it never calls the PMS or a lock inline, so it answers well
 * within the PMS's timeout and a replay enqueues nothing new while the first is waiting.
 */
export function createWebhookHandler(
  options: WebhookHandlerOptions,
): (request: IncomingWebhook) => Promise<WebhookResponse> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const accept = options.accept ?? storeSink(options.store);

  return async (request) => {
    const now = clock.now();
    const size = typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength;
    const respond = (status: number, message: string, jobs?: number): WebhookResponse => {
      options.onEvent?.({ type: 'webhook', propertyId: request.propertyId, status, events: [] });
      return { status, body: { ok: status < 300, message, ...(jobs === undefined ? {} : { jobs }) } };
    };
    if (request.method.toUpperCase() !== 'POST') return respond(405, 'use POST');
    if (size > maxBody) {
      logger.warn('webhook body too large', { propertyId: request.propertyId, bytes: size });
      return respond(413, `body larger than ${maxBody} bytes`);
    }
    const property = await options.store.getProperty(request.propertyId);
    const provider = property && options.providers(property);
    if (!property || !provider?.parseWebhook)
      return respond(404, `no webhook endpoint for property ${request.propertyId}`);

    const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
    const entry = (status: number, events: string[], error: string | null): WebhookLog => ({
      propertyId: property.id,
      provider: provider.kind,
      receivedAt: now,
      status,
      payload: redactPayload(body),
      events,
      error,
    });
    const log = (status: number, events: string[], error: string | null) =>
      options.store.appendWebhookLog(entry(status, events, error));

    let events: WebhookEvent[];
    try {
      events = provider.parseWebhook({
        propertyId: property.id,
        method: request.method,
        query: request.query,
        headers: request.headers,
        body,
      });
    } catch (error) {
      const status = error instanceof AuthError ? 401 : error instanceof ValidationError ? 400 : 500;
      // An unauthenticated body is not logged: it could be anything from anyone.
      if (status !== 401) await log(status, [], describeError(error));
      logger.warn('webhook rejected', { propertyId: property.id, status, error: describeError(error) });
      return respond(status, status === 401 ? 'unauthorized' : describeError(error));
    }

    const jobs: NewJob[] = [];
    for (const event of events) {
      if (event.type === 'bookings.changed' && event.bookingIds.length) {
        const ids = [...new Set(event.bookingIds)].sort();
        const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 24);
        jobs.push({
          kind: JOB_KINDS.syncBookings,
          propertyId: property.id,
          payload: { bookingIds: ids },
          dedupeKey: `sync.bookings:${property.id}:${digest}`,
        });
      } else if (event.type === 'units.changed') {
        jobs.push({
          kind: JOB_KINDS.syncUnits,
          propertyId: property.id,
          payload: {},
          dedupeKey: `sync.units:${property.id}`,
        });
      } else if (event.type === 'bookings.pushed') {
        // Pushed bookings cannot be re-fetched: store them now (local, fast), plan in a job.
        await options.store.transaction(async (tx) => {
          if (event.bookings.length) await tx.upsertBookings(event.bookings, now);
          if (event.quarantined.length) {
            await tx.appendQuarantine(
              event.quarantined.map((q) => ({
                propertyId: property.id,
                source: provider.kind,
                recordId: q.recordId,
                reason: q.reason,
                raw: JSON.stringify(q.raw),
                at: now,
              })),
            );
          }
        });
        jobs.push({
          kind: JOB_KINDS.plan,
          propertyId: property.id,
          payload: {},
          dedupeKey: planJobKey(property.id),
        });
      }
    }
    const names = events.map((e) => (e.type === 'ignored' ? `ignored:${e.name}` : e.type));
    // One durable write per ack: the jobs and the log row together (never a job without its
    // webhook log or the reverse).
    await accept({ jobs, log: entry(202, names, null), now });
    options.onEvent?.({ type: 'webhook', propertyId: property.id, status: 202, events: names });
    return { status: 202, body: { ok: true, message: 'accepted', jobs: jobs.length } };
  };
}
