import { z } from 'zod';

/**
 * The parts of the Beds24 V2 wire format this adapter reads (official OpenAPI file,
 * `components.schemas`). Envelopes are checked strictly; single booking records are checked
 * one by one later, so one bad record is quarantined instead of failing the page.
 */

/** `GET /authentication/token` → schema `token`. */
export const tokenResponseSchema = z.object({
  token: z.string().min(1),
  expiresIn: z.number().int().positive(),
});
export type TokenResponse = z.output<typeof tokenResponseSchema>;

/** `UnsuccessfulApiResponse`: `{ success: false, type: 'error', code, error }`. */
export const errorResponseSchema = z.object({
  success: z.literal(false),
  type: z.string().optional(),
  code: z.number().optional(),
  error: z.string().optional(),
});

/** `GET /bookings` 200: `SuccessfulApiResponse` + `pages` + `data[]` (records checked later). */
export const bookingsPageSchema = z.object({
  success: z.literal(true),
  type: z.string().optional(),
  count: z.number().int().optional(),
  pages: z.object({ nextPageExists: z.boolean(), nextPageLink: z.string().optional() }).optional(),
  data: z.array(z.unknown()),
});
export type BookingsPage = z.output<typeof bookingsPageSchema>;

/** An info item as `GET /bookings?includeInfoItems=true` returns it. */
export const infoItemSchema = z.object({
  id: z.number().int(),
  code: z.string().optional(),
  text: z.string().optional(),
  bookingId: z.number().int().optional(),
  createTime: z.string().optional(),
});
export type InfoItem = z.output<typeof infoItemSchema>;

/** `YYYY-MM-DD`, property-local. */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** A booking record (`components.schemas.booking`), only the fields we map. */
export const bookingRecordSchema = z.object({
  id: z.number().int().positive(),
  propertyId: z.number().int(),
  roomId: z.number().int(),
  unitId: z.number().int().nullable().optional(),
  masterId: z.number().int().nullable().optional(),
  status: z.string(),
  arrival: date,
  departure: date,
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  reference: z.string().nullable().optional(),
  apiReference: z.string().nullable().optional(),
  modifiedTime: z.string().nullable().optional(),
  infoItems: z.array(infoItemSchema).optional(),
});
export type BookingRecord = z.output<typeof bookingRecordSchema>;

/** A write for one booking in `POST /bookings` (only `id` and `infoItems`, never other fields). */
export interface InfoItemWrite {
  id?: number;
  code?: string;
  text?: string;
}
export interface BookingWrite {
  id: number;
  infoItems: InfoItemWrite[];
}

const message = z.object({
  action: z.string().optional(),
  field: z.string().optional(),
  message: z.string().optional(),
});

/** `POST /bookings` 201: one `multiplePostResponse` per input item, in request order. */
export const postResponseSchema = z.array(
  z.object({
    success: z.boolean().optional(),
    errors: z.array(message).optional(),
    warnings: z.array(message).optional(),
  }),
);
export type PostResponse = z.output<typeof postResponseSchema>;
