import { z } from 'zod';

/**
 * Request bodies as the MEWS OpenAPI file defines them: `additionalProperties: false`
 * (mews.md §2.4 "Strict JSON"), so an unknown property is a 400 here as it is there.
 */

const auth = {
  ClientToken: z.string(),
  AccessToken: z.string(),
  Client: z.string(),
  LanguageCode: z.string().nullish(),
  CultureCode: z.string().nullish(),
};

const ids = (max: number) => z.array(z.string()).max(max).nullish();
/** Time interval filter `{ StartUtc, EndUtc }`, both required (mews.md §2.4). */
const interval = z.strictObject({ StartUtc: z.string(), EndUtc: z.string() }).nullish();
/** `Limitation: { Count: 1..1000, Cursor }` (mews.md §3). */
const limitation = z.strictObject({ Count: z.number().int().min(1).max(1000), Cursor: z.string().nullish() });
const activityStates = z.array(z.enum(['Active', 'Deleted'])).nullish();

export const serviceOrderStates = [
  'Inquired',
  'Confirmed',
  'Started',
  'Processed',
  'Canceled',
  'Optional',
  'Requested',
] as const;

/** mews.md §6.1 */
export const reservationsGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ReservationIds: ids(1000),
  ServiceIds: ids(1000),
  ReservationGroupIds: ids(1000),
  AccountIds: ids(1000),
  PartnerCompanyIds: ids(100),
  TravelAgencyIds: ids(100),
  Numbers: ids(1000),
  ChannelNumbers: ids(100),
  AssignedResourceIds: ids(1000),
  AvailabilityBlockIds: ids(100),
  CreatedUtc: interval,
  UpdatedUtc: interval,
  CollidingUtc: interval,
  ScheduledStartUtc: interval,
  ActualStartUtc: interval,
  ScheduledEndUtc: interval,
  ActualEndUtc: interval,
  States: z.array(z.enum(serviceOrderStates)).nullish(),
  Limitation: limitation,
});

/** mews.md §7.2 */
export const customersGetAll = z.strictObject({
  ...auth,
  ChainIds: ids(1000),
  CustomerIds: ids(1000),
  Extent: z.strictObject({
    Customers: z.boolean().nullish(),
    Addresses: z.boolean().nullish(),
    Documents: z.boolean().nullish(),
  }),
  CreatedUtc: interval,
  UpdatedUtc: interval,
  DeletedUtc: interval,
  ActivityStates: activityStates,
  CompanyIds: ids(1),
  Emails: ids(1000),
  FirstNames: ids(1000),
  LastNames: ids(1000),
  LoyaltyCodes: ids(1000),
  Limitation: limitation,
});

/** mews.md §8.1 */
export const servicesGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ServiceIds: ids(1000),
  ServiceType: z.enum(['Bookable', 'Additional']).nullish(),
  UpdatedUtc: interval,
  Limitation: limitation,
});

/** mews.md §8.2 */
export const resourcesGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ResourceIds: ids(1000),
  Names: ids(1000),
  Extent: z.strictObject({
    Resources: z.boolean().nullish(),
    Inactive: z.boolean().nullish(),
    ResourceCategories: z.boolean().nullish(),
    ResourceCategoryAssignments: z.boolean().nullish(),
    ResourceCategoryImageAssignments: z.boolean().nullish(),
    ResourceFeatures: z.boolean().nullish(),
    ResourceFeatureAssignments: z.boolean().nullish(),
  }),
  CreatedUtc: interval,
  UpdatedUtc: interval,
  Limitation: limitation,
});

/** mews.md §8.3 */
export const resourceCategoriesGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ResourceCategoryIds: ids(1000),
  ServiceIds: z.array(z.string()).min(1).max(1000),
  UpdatedUtc: interval,
  ActivityStates: activityStates,
  Limitation: limitation,
});

/** mews.md §8.3 */
export const resourceCategoryAssignmentsGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ResourceCategoryAssignmentIds: ids(1000),
  ResourceCategoryIds: z.array(z.string()).min(1).max(1000),
  ResourceIds: ids(1000),
  UpdatedUtc: interval,
  ActivityStates: activityStates,
  Limitation: limitation,
});

/** Bool update value `{ "Value": bool }` (mews.md §2.4); each permission is optional and nullable. */
const boolUpdate = z.strictObject({ Value: z.boolean().nullable() }).nullish();
const permissionParameters = z.strictObject({
  Bed: boolUpdate,
  Room: boolUpdate,
  Floor: boolUpdate,
  Building: boolUpdate,
});
const stringUpdate = z.strictObject({ Value: z.string().nullable() }).nullish();

/** mews.md §9.2 */
export const accessTokensGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ResourceAccessTokenIds: ids(1000),
  ServiceOrderIds: ids(1000),
  CollidingUtc: interval,
  UpdatedUtc: interval,
  ActivityStates: activityStates,
  Limitation: limitation,
});

/** mews.md §9.3 (`ResourceAccessTokenParameters`, 1–1000 items). */
export const accessTokensAdd = z.strictObject({
  ...auth,
  ResourceAccessTokenParameters: z
    .array(
      z.strictObject({
        ServiceOrderId: z.string(),
        CompanionshipId: z.string().nullish(),
        ResourceId: z.string().nullish(),
        Type: z.enum(['PinCode', 'RfidTag']),
        Value: z.string().min(1).max(255),
        SerialNumber: z.string().nullish(),
        ValidityStartUtc: z.string(),
        ValidityEndUtc: z.string(),
        Permissions: permissionParameters,
      }),
    )
    .min(1)
    .max(1000),
});

/** mews.md §9.4: only validity, permissions and `Value` are updatable. */
export const accessTokensUpdate = z.strictObject({
  ...auth,
  EnterpriseId: z.string().nullish(),
  ResourceAccessTokenUpdates: z
    .array(
      z.strictObject({
        ResourceAccessTokenId: z.string(),
        ValidityStartUtc: stringUpdate,
        ValidityEndUtc: stringUpdate,
        Value: z.strictObject({ Value: z.string().min(1).max(255).nullable() }).nullish(),
        Permissions: permissionParameters.nullish(),
      }),
    )
    .max(1000)
    .nullish(),
});

/** mews.md §9.5 */
export const accessTokensDelete = z.strictObject({ ...auth, Ids: z.array(z.string()).min(1).max(1000) });

/** mews.md §10.1 */
export const notesGetAll = z.strictObject({
  ...auth,
  EnterpriseIds: ids(1000),
  ServiceOrderIds: z.array(z.string()).min(1).max(1000),
  ServiceOrderNoteIds: ids(1000),
  UpdatedUtc: interval,
  Types: z.array(z.enum(['General', 'ChannelManager', 'SpecialRequest'])).nullish(),
  Limitation: limitation,
});

/** mews.md §10.2 */
export const notesAdd = z.strictObject({
  ...auth,
  ServiceOrderNotes: z
    .array(z.strictObject({ ServiceOrderId: z.string(), Text: z.string() }))
    .min(1)
    .max(1000),
});

/** mews.md §10.3 */
export const notesUpdate = z.strictObject({
  ...auth,
  ServiceOrderNoteUpdates: z
    .array(z.strictObject({ ServiceOrderNoteId: z.string(), Text: stringUpdate }))
    .min(1)
    .max(1000),
});

/** mews.md §10.4 */
export const notesDelete = z.strictObject({
  ...auth,
  ServiceOrderNoteIds: z.array(z.string()).min(1).max(1000),
});

/** mews.md §2.5: only the auth fields. */
export const configurationGet = z.strictObject({ ...auth });

export type TimeInterval = { StartUtc: string; EndUtc: string } | null | undefined;
export type LimitationInput = z.infer<typeof limitation>;
