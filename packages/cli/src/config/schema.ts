import { z } from 'zod';

const nonEmpty = z.string().min(1, 'must not be empty');
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm');

const mewsBlock = z.strictObject({
  baseUrl: z.url(),
  clientToken: nonEmpty,
  accessToken: nonEmpty,
  client: nonEmpty.default('BRAFA 0.1.0'),
  serviceId: nonEmpty.optional(),
  serviceIds: z.array(nonEmpty).optional(),
  enterpriseId: nonEmpty.optional(),
  webhookToken: nonEmpty.optional(),
  useServiceOrderNotes: z.boolean().default(false),
  /** Reservations per page (default 200: smaller pages avoid MEWS's 408 timeouts; max 1000). */
  reservationPageSize: z.number().int().min(1).max(1000).optional(),
});

const beds24Block = z.strictObject({
  baseUrl: z.url().optional(),
  refreshToken: nonEmpty,
  propertyId: z.coerce.number().int().positive(),
  infoItemCode: nonEmpty.optional(),
  webhookSecret: nonEmpty.optional(),
});

const bookingFactoryBlock = z
  .strictObject({
    /** Pull and keycode write-back; omit all three for a push-only property. */
    baseUrl: z.url().optional(),
    apiKey: nonEmpty.optional(),
    hotelId: nonEmpty.optional(),
    webhookSecret: nonEmpty.optional(),
    /** Overrides of the assumed partner contract (see @brafa/provider-bookingfactory). */
    contract: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => (b.baseUrl && b.apiKey && b.hotelId) || (!b.baseUrl && !b.apiKey && !b.hotelId), {
    message: 'baseUrl, apiKey and hotelId go together (or none, for push-only)',
  })
  .refine((b) => b.baseUrl || b.webhookSecret, {
    message: 'needs an API (baseUrl, apiKey, hotelId) or a webhookSecret',
  });

const unitEntry = z.strictObject({
  roomId: nonEmpty,
  unitName: nonEmpty,
  /** The PMS's id for the unit (MEWS resource id, Beds24 `roomId:unitId`, TBF room id). */
  resourceId: nonEmpty.optional(),
  mewsResourceId: nonEmpty.optional(),
  resourceName: z.string().optional(),
});

const lockEntry = z.union([
  z.strictObject({ lockId: z.coerce.string().min(1), scope: z.literal('property') }),
  z.strictObject({
    lockId: z.coerce.string().min(1),
    scope: z.literal('unit').default('unit'),
    roomId: nonEmpty,
    unitName: nonEmpty,
  }),
]);

const propertyEntry = z
  .strictObject({
    id: nonEmpty,
    provider: z.enum(['mews', 'beds24', 'godo', 'bookingfactory']),
    enabled: z.boolean().default(true),
    name: z.string().optional(),
    timezone: nonEmpty,
    checkInTime: time.default('15:00'),
    checkOutTime: time.default('11:00'),
    accessBuffers: z
      .strictObject({
        beforeCheckInMinutes: z.number().int().min(0).default(0),
        afterCheckOutMinutes: z.number().int().min(0).default(0),
      })
      .optional(),
    mews: mewsBlock.optional(),
    beds24: beds24Block.optional(),
    godo: beds24Block.optional(),
    bookingfactory: bookingFactoryBlock.optional(),
    units: z.array(unitEntry).default([]),
    locks: z.array(lockEntry).default([]),
  })
  .superRefine((p, ctx) => {
    if (!p[p.provider]) {
      ctx.addIssue({
        code: 'custom',
        path: [p.provider],
        message: `provider is "${p.provider}" but the "${p.provider}" block is missing`,
      });
    }
  });

export const configSchema = z.strictObject({
  database: nonEmpty.default('sqlite:./brafa.db'),
  /** Key of the passcode hash: without it codes would be guessable from booking ids. */
  secret: z.string().min(8, 'must be at least 8 characters'),
  passcode: z.strictObject({ length: z.number().int().min(4).max(9).default(6) }).default({ length: 6 }),
  sciener: z.strictObject({
    baseUrl: nonEmpty.default('https://euapi.ttlock.com'),
    clientId: nonEmpty,
    clientSecret: nonEmpty,
    username: nonEmpty,
    password: nonEmpty,
    /**
     * Codes one lock holds. TTLock documents 250 (`-3009` past it); older locks' guide says
     * 150. The planner never plans more for a lock, so set the smallest of your locks.
     */
    maxCodesPerLock: z.number().int().min(1).max(250).default(250),
  }),
  worker: z
    .strictObject({
      concurrency: z.number().int().min(1).max(1000).default(16),
      pollSeconds: z.number().min(0.05).default(5),
      /** Job retry policy (defaults: 8 attempts, 2 s base, 15 min cap, Retry-After capped at 5 min). */
      retry: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(100).optional(),
          baseDelayMs: z.number().int().min(0).optional(),
          maxDelayMs: z.number().int().min(0).optional(),
          retryAfterCapMs: z.number().int().min(0).optional(),
        })
        .optional(),
      /** Wait before a code failed by an outage gets a fresh retry budget (default 30). */
      failedRetryMinutes: z.number().min(0).optional(),
      /** Job lease: a killed worker's jobs go to others after this long (default 300). */
      leaseSeconds: z.number().min(1).optional(),
      /**
       * A write-back waits until no lock work is queued (one batched PMS write per burst), but
       * during a long backlog no longer than this (default 30).
       */
      writeBackMaxDelaySeconds: z.number().min(0).optional(),
      /**
       * Done jobs older than this are deleted after a dispatch (default 7; dead jobs are kept).
       * Every lock operation leaves one, so without a limit the queue grows for ever.
       */
      keepDoneJobsDays: z.number().min(0).optional(),
      /**
       * Webhook, write-back and quarantine log rows older than this are deleted with the done
       * jobs (default 30). They hold what the PMS sent, guests' details included.
       */
      keepLogsDays: z.number().min(0).optional(),
      /**
       * A booking departed this long ago is deleted with its codes once all of them are off
       * their locks (default 30). Keep it longer than the sync window reaches back (7 days).
       */
      keepEndedBookingsDays: z.number().min(0).optional(),
      /**
       * Hold a database lease per lock around each lock operation, so that no two processes
       * operate one lock at once (a second TTLock operation fails with -3037). Default: on for
       * PostgreSQL, off for SQLite; turn it on when a cron `brafa run` shares a SQLite file
       * with `brafa serve`.
       */
      lockLeases: z.boolean().optional(),
      /**
       * `brafa serve` runs its worker loop in a thread of its own, so webhook acks never wait
       * behind lock work (default true; an in-memory SQLite database always runs it inline).
       */
      thread: z.boolean().optional(),
      /**
       * Linux: the nice value of that thread (0-19, default 10), so that on a busy machine
       * webhook acks get the CPU before lock work. 0 leaves it at the process's priority.
       */
      threadNiceness: z.number().int().min(0).max(19).optional(),
      /** How long an ended code stays on its lock before it is deleted (default 24 h). */
      graceHours: z
        .number()
        .min(0)
        .max(24 * 30)
        .optional(),
    })
    .default({ concurrency: 16, pollSeconds: 5 }),
  properties: z.array(propertyEntry).min(1, 'at least one property is required'),
});

export type BrafaConfig = z.output<typeof configSchema>;
export type PropertyConfig = BrafaConfig['properties'][number];
