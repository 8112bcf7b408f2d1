import { isoSeconds } from '../../util/time.js';
import type {
  MewsAccessToken,
  MewsNote,
  WorldCategory,
  WorldGuest,
  WorldProperty,
  WorldReservation,
  WorldUnit,
} from '../../world/types.js';

/** Reservation in the 2023-06-06 shape (mews.md §6.2, §6.3). */
export function reservationJson(
  r: WorldReservation,
  property: WorldProperty,
  unit: WorldUnit | null,
  category: WorldCategory | null,
) {
  const mews = property.mews;
  return {
    Id: r.id,
    ServiceId: mews?.serviceId ?? '',
    AccountId: r.guestId,
    AccountType: 'Customer',
    CreatorProfileId: mews?.chainId ?? '',
    UpdaterProfileId: mews?.chainId ?? '',
    BookerId: r.guestId,
    Number: r.number,
    State: r.state,
    Origin: 'Connector',
    CommanderOrigin: null,
    OriginDetails: null,
    CreatedUtc: isoSeconds(r.createdUtc),
    UpdatedUtc: isoSeconds(r.updatedUtc),
    CancelledUtc: r.cancelledUtc ? isoSeconds(r.cancelledUtc) : null,
    VoucherId: null,
    BusinessSegmentId: null,
    Options: {
      OwnerCheckedIn: r.state === 'Started' || r.state === 'Processed',
      AllCompanionsCheckedIn: r.state === 'Started' || r.state === 'Processed',
      AnyCompanionCheckedIn: r.state === 'Started' || r.state === 'Processed',
      ConnectorCheckIn: false,
    },
    RateId: mews?.serviceId ?? '',
    CreditCardId: null,
    GroupId: r.groupId,
    RequestedResourceCategoryId: category?.mewsId ?? unit?.mews.categoryId ?? '',
    AssignedResourceId: unit?.mews.resourceId ?? null,
    AvailabilityBlockId: null,
    PartnerCompanyId: null,
    TravelAgencyId: null,
    AssignedResourceLocked: false,
    ChannelNumber: null,
    ChannelManagerNumber: null,
    CancellationReason: r.state === 'Canceled' ? 'RequestedByGuest' : null,
    ReleasedUtc: null,
    StartUtc: isoSeconds(r.startUtc),
    EndUtc: isoSeconds(r.endUtc),
    ScheduledStartUtc: isoSeconds(r.startUtc),
    ActualStartUtc: r.actualStartUtc ? isoSeconds(r.actualStartUtc) : null,
    ScheduledEndUtc: isoSeconds(r.endUtc),
    ActualEndUtc: r.actualEndUtc ? isoSeconds(r.actualEndUtc) : null,
    Purpose: 'Leisure',
    QrCodeData: null,
    PersonCounts: [{ AgeCategoryId: mews?.chainId ?? '', Count: 2 }],
  };
}

/** Customer (mews.md §7.2). */
export function customerJson(g: WorldGuest, property: WorldProperty) {
  return {
    Id: g.id,
    ChainId: property.mews?.chainId ?? '',
    Number: String(g.seq),
    Title: null,
    Sex: null,
    FirstName: g.firstName,
    LastName: g.lastName,
    SecondLastName: null,
    NationalityCode: null,
    PreferredLanguageCode: 'en-GB',
    LanguageCode: 'en-GB',
    BirthDate: null,
    BirthCountryCode: null,
    BirthCountrySubdivisionCode: null,
    BirthPlace: null,
    Occupation: null,
    Email: g.email,
    HasOtaEmail: false,
    Phone: g.phone,
    TaxIdentificationNumber: null,
    LoyaltyCode: null,
    AccountingCode: null,
    BillingCode: null,
    Notes: '',
    CarRegistrationNumber: null,
    DietaryRequirements: null,
    CreatedUtc: isoSeconds(g.createdUtc),
    UpdatedUtc: isoSeconds(g.updatedUtc),
    Passport: null,
    IdentityCard: null,
    Visa: null,
    DriversLicense: null,
    Address: null,
    AddressId: null,
    Classifications: [],
    Options: [],
    ItalianDestinationCode: null,
    ItalianFiscalCode: null,
    ItalianLotteryCode: null,
    CompanyId: null,
    MergeTargetId: null,
    ActivityState: 'Active',
    IsActive: true,
    PreferredSpaceFeatures: [],
    CreatorProfileId: property.mews?.chainId ?? '',
    UpdaterProfileId: property.mews?.chainId ?? '',
  };
}

/** Resource (mews.md §8.2). */
export function resourceJson(u: WorldUnit, property: WorldProperty) {
  return {
    Id: u.mews.resourceId,
    EnterpriseId: property.mews?.enterpriseId ?? '',
    IsActive: u.active,
    ParentResourceId: null,
    Name: u.unitName,
    State: 'Inspected',
    Descriptions: { 'en-US': `${u.category} ${u.unitName}` },
    CreatedUtc: isoSeconds(u.createdUtc),
    UpdatedUtc: isoSeconds(u.updatedUtc),
    Data: {
      Discriminator: 'Space',
      Value: { FloorNumber: u.unitName.slice(0, -2) || '0', LocationNotes: null },
    },
    ExternalNames: { 'en-US': `Room ${u.unitName}` },
    Directions: {},
  };
}

/** Local HH:mm as an ISO 8601 duration offset into the day (mews.md §8.1 Bookable Data). */
function offset(time: string): string {
  const [h, m] = time.split(':');
  return `P0M0DT${Number(h)}H${Number(m)}M0S`;
}

/** Service (mews.md §8.1): the enterprise's bookable accommodation service. */
export function serviceJson(property: WorldProperty, createdUtc: Date) {
  return {
    Id: property.mews?.serviceId ?? '',
    EnterpriseId: property.mews?.enterpriseId ?? '',
    CreatedUtc: isoSeconds(createdUtc),
    UpdatedUtc: isoSeconds(createdUtc),
    IsActive: true,
    Name: 'Accommodation',
    Names: { 'en-US': 'Accommodation' },
    Options: { BillAsPackage: true },
    Ordering: 0,
    Data: {
      Discriminator: 'Bookable',
      Value: {
        StartOffset: offset(property.checkInTime),
        EndOffset: offset(property.checkOutTime),
        OccupancyStartOffset: offset(property.checkInTime),
        OccupancyEndOffset: offset(property.checkOutTime),
        TimeUnitPeriod: 'Day',
      },
    },
    ExternalIdentifier: null,
  };
}

/** Resource category (mews.md §8.3). */
export function categoryJson(c: WorldCategory, property: WorldProperty, ordering: number) {
  return {
    Id: c.mewsId,
    EnterpriseId: property.mews?.enterpriseId ?? '',
    ServiceId: property.mews?.serviceId ?? '',
    IsActive: true,
    Type: 'Room',
    Classification: 'StandardRoom',
    Names: { 'en-US': c.name },
    ShortNames: { 'en-US': c.name },
    Descriptions: {},
    Ordering: ordering,
    Capacity: 2,
    ExtraCapacity: 0,
    ExternalIdentifier: null,
  };
}

/** Resource category assignment (mews.md §8.3). */
export function assignmentJson(u: WorldUnit) {
  return {
    Id: u.mews.assignmentId,
    ResourceId: u.mews.resourceId,
    CategoryId: u.mews.categoryId,
    IsActive: u.active,
    CreatedUtc: isoSeconds(u.createdUtc),
    UpdatedUtc: isoSeconds(u.updatedUtc),
  };
}

/** Resource access token, response form: plain boolean permissions (mews.md §9.1). */
export function accessTokenJson(t: MewsAccessToken) {
  const { seq: _seq, ...wire } = t;
  return wire;
}

/** Service order note (mews.md §10.1). */
export function noteJson(n: MewsNote) {
  return {
    Id: n.Id,
    OrderId: n.OrderId,
    Text: n.Text,
    Type: n.Type,
    CreatedUtc: n.CreatedUtc,
    UpdatedUtc: n.UpdatedUtc,
  };
}
