import { z } from 'zod';

/**
 * Response schemas. None is strict: MEWS adds fields without notice and we must not break on
 * them. Only the fields the adapter reads are validated, so a failure names a field we
 * actually depend on. Reservations, customers and access tokens — thousands per sync or
 * write-back — are parsed in zod's default mode, which drops the fields we do not read instead of copying them (copying was
 * the largest single allocation of a 10,000-reservation sync); the rest stay loose.
 */

const id = z.string().min(1, 'must be a non-empty string');
/** `YYYY-MM-DDThh:mm:ssZ` (fractions and offsets tolerated; MEWS documents UTC). */
const utc = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 UTC datetime' });
const cursor = z
  .string()
  .nullish()
  .transform((c) => c ?? null);
const localizedText = z.record(z.string(), z.string().nullable()).nullish();

export const reservationSchema = z.object({
  Id: id,
  ServiceId: id,
  AccountId: z.string().nullish(),
  AccountType: z.string().nullish(),
  Number: z.string().nullish(),
  State: z.string().min(1, 'must be a service order state'),
  GroupId: z.string().nullish(),
  RequestedResourceCategoryId: z.string().nullish(),
  AssignedResourceId: z.string().nullish(),
  ChannelNumber: z.string().nullish(),
  ScheduledStartUtc: utc,
  ScheduledEndUtc: utc,
  UpdatedUtc: z.string().nullish(),
});
export type Reservation = z.output<typeof reservationSchema>;

/** Reservations are validated one by one, so one malformed record is quarantined, not fatal. */
export const reservationsPageSchema = z.looseObject({
  Reservations: z.array(z.unknown()),
  Cursor: cursor,
});

export const customerSchema = z.object({
  Id: id,
  FirstName: z.string().nullish(),
  LastName: z.string().nullish(),
});
export type Customer = z.output<typeof customerSchema>;
export const customersPageSchema = z.looseObject({ Customers: z.array(z.unknown()), Cursor: cursor });

export const resourceSchema = z.looseObject({
  Id: id,
  Name: z.string(),
  IsActive: z.boolean().optional(),
  ParentResourceId: z.string().nullish(),
});
export type Resource = z.output<typeof resourceSchema>;
export const resourcesPageSchema = z.looseObject({ Resources: z.array(resourceSchema), Cursor: cursor });

export const resourceCategorySchema = z.looseObject({
  Id: id,
  ServiceId: id,
  IsActive: z.boolean(),
  Names: localizedText,
  ShortNames: localizedText,
  Ordering: z.number().optional(),
});
export type ResourceCategory = z.output<typeof resourceCategorySchema>;
export const resourceCategoriesPageSchema = z.looseObject({
  ResourceCategories: z.array(resourceCategorySchema),
  Cursor: cursor,
});

export const resourceCategoryAssignmentSchema = z.looseObject({
  Id: id,
  ResourceId: id,
  CategoryId: id,
  IsActive: z.boolean(),
});
export type ResourceCategoryAssignment = z.output<typeof resourceCategoryAssignmentSchema>;
export const resourceCategoryAssignmentsPageSchema = z.looseObject({
  ResourceCategoryAssignments: z.array(resourceCategoryAssignmentSchema),
  Cursor: cursor,
});

export const serviceSchema = z.looseObject({
  Id: id,
  IsActive: z.boolean(),
  /** `Names` is the documented field; the official example still shows the deprecated `Name`. */
  Names: localizedText,
  Name: z.string().nullish(),
  Data: z.looseObject({ Discriminator: z.string() }).nullish(),
});
export type Service = z.output<typeof serviceSchema>;
export const servicesPageSchema = z.looseObject({ Services: z.array(serviceSchema), Cursor: cursor });

export const resourceAccessTokenSchema = z.object({
  Id: id,
  ServiceOrderId: id,
  ResourceId: z.string().nullish(),
  Type: z.string(),
  Value: z.string(),
  ValidityStartUtc: utc,
  ValidityEndUtc: utc,
  IsActive: z.boolean(),
  /** Plain booleans in responses (requests wrap each in `{ Value }`). */
  Permissions: z
    .object({
      Bed: z.boolean().optional(),
      Room: z.boolean().optional(),
      Floor: z.boolean().optional(),
      Building: z.boolean().optional(),
    })
    .nullish(),
});
export type ResourceAccessToken = z.output<typeof resourceAccessTokenSchema>;
/** `Cursor` is missing from the official example: treat it as the end. */
export const resourceAccessTokensSchema = z.looseObject({
  ResourceAccessTokens: z.array(resourceAccessTokenSchema),
  Cursor: cursor,
});

export const serviceOrderNoteSchema = z.looseObject({
  Id: id,
  OrderId: id,
  Text: z.string().nullish(),
  Type: z.string(),
});
export type ServiceOrderNote = z.output<typeof serviceOrderNoteSchema>;
export const serviceOrderNotesSchema = z.looseObject({
  ServiceOrderNotes: z.array(serviceOrderNoteSchema),
  Cursor: cursor,
});

/** `delete` answers `{}` (or 204, which the transport turns into `{}`). */
export const emptySchema = z.looseObject({});

/** `configuration/get`: the enterprise behind the access token, with its IANA time zone. */
export const configurationSchema = z.looseObject({
  NowUtc: z.string().nullish(),
  Enterprise: z.looseObject({
    Id: id,
    Name: z.string().nullish(),
    TimeZoneIdentifier: z.string().min(1, 'must be an IANA time zone'),
  }),
});
export type Configuration = z.output<typeof configurationSchema>;
