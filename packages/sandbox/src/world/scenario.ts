import { addDays, type Clock, localDateOf, localInstant, systemClock } from '@brafa/core';
import { md5Hex } from '../util/md5.js';
import { createPrng, deriveSeed, type Prng } from '../util/prng.js';
import { categoryNames, firstNames, lastNames } from './names.js';
import type {
  Beds24Status,
  PmsKind,
  ReservationState,
  SciLock,
  World,
  WorldCategory,
  WorldProperty,
  WorldReservation,
  WorldUnit,
} from './types.js';

export interface UnitSpec {
  name: string;
  /** Room category / Beds24 room type name; units of one category share a Beds24 `roomId`. */
  category?: string;
  /** Give the unit its own Sciener lock (default true). */
  lock?: boolean;
}

export interface GuestSpec {
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
}

export interface ReservationSpec {
  /** Vendor-native id; generated when omitted (MEWS uuid, Beds24 integer, TBF reference). */
  id?: string;
  /** Unit name, or null for a reservation without an assigned room. */
  unit: string | null;
  arrival: string;
  departure: string;
  guest?: string | GuestSpec;
  state?: ReservationState;
  beds24Status?: Beds24Status;
}

export interface GenerateSpec {
  count: number;
  /** Arrivals fall in [today + startOffsetDays, today + startOffsetDays + withinDays). */
  withinDays?: number;
  startOffsetDays?: number;
  maxNights?: number;
  /** Share of reservations that are cancelled (0..1), default 0.1. */
  cancelledRatio?: number;
  /** Share without an assigned room (0..1), default 0. */
  unassignedRatio?: number;
}

export interface PropertySpec {
  id: string;
  provider: PmsKind;
  name?: string;
  timezone?: string;
  checkInTime?: string;
  checkOutTime?: string;
  /** A count (units '101'…) or explicit units. */
  units?: number | Array<string | UnitSpec>;
  reservations?: number | GenerateSpec | ReservationSpec[];
  /** Add a property-wide entrance lock (a common door every guest gets). */
  entranceLock?: boolean;
  /** Beds24 account the property belongs to (accounts share credits and tokens); default its id. */
  beds24Account?: string;
  /** Fixed credentials instead of seeded ones. */
  credentials?: { accessToken?: string; refreshToken?: string; apiKey?: string; hotelId?: string };
}

export interface ScenarioOptions {
  seed?: number;
  clock?: Clock;
  properties?: PropertySpec[];
  mews?: { clientToken?: string };
  sciener?: { clientId?: string; clientSecret?: string; username?: string; password?: string };
}

export interface UnitInfo {
  propertyId: string;
  unitName: string;
  category: string;
  mewsResourceId: string;
  beds24RoomId: number;
  beds24UnitId: number;
  tbfRoomId: string;
  lockId: number | null;
}

export interface Credentials {
  mews: {
    clientToken: string;
    properties: Record<string, { accessToken: string; enterpriseId: string; serviceId: string }>;
  };
  beds24: Record<string, { refreshToken: string; inviteCode: string; propertyId: number; account: string }>;
  tbf: Record<string, { apiKey: string; hotelId: string }>;
  sciener: {
    clientId: string;
    clientSecret: string;
    username: string;
    password: string;
    passwordMd5: string;
  };
}

/**
 * Seeds and mutates the sandbox world. Same seed + same calls = same ids, names and dates.
 * Mutations stamp `UpdatedUtc`/`modifiedTime` with the clock, like the PMS would.
 */
export class Scenario {
  readonly world: World;
  readonly clock: Clock;
  private readonly rng: Prng;

  constructor(options: ScenarioOptions = {}) {
    const seed = options.seed ?? 1;
    this.clock = options.clock ?? systemClock;
    this.rng = createPrng(deriveSeed(seed, 'scenario'));
    const r = this.rng;
    this.world = {
      seed,
      seq: 0,
      properties: [],
      categories: [],
      units: [],
      guests: [],
      reservations: [],
      mews: {
        clientToken: options.mews?.clientToken ?? `${r.hex(32).toUpperCase()}-SANDBOX`,
        tokens: [],
        notes: [],
      },
      beds24: { accounts: [], infoItems: [], nextInfoItemId: 5_000_001, nextBookingId: 30_600_001 },
      tbf: { keycodes: [] },
      sciener: {
        account: {
          clientId: options.sciener?.clientId ?? r.hex(32),
          clientSecret: options.sciener?.clientSecret ?? r.hex(32),
          username: options.sciener?.username ?? 'sandbox@example.com',
          password: options.sciener?.password ?? 'sandbox-password',
          uid: r.int(1000, 9999),
          accessTokens: {},
          refreshTokens: [],
        },
        locks: [],
        codes: [],
        nextPwdId: 24_001,
      },
    };
    for (const spec of options.properties ?? []) this.addProperty(spec);
  }

  private nextSeq(): number {
    this.world.seq += 1;
    return this.world.seq;
  }

  addProperty(spec: PropertySpec): WorldProperty {
    if (this.world.properties.some((p) => p.id === spec.id))
      throw new Error(`property ${spec.id} already exists`);
    const r = this.rng;
    const property: WorldProperty = {
      id: spec.id,
      kind: spec.provider,
      name: spec.name ?? `Sandbox Hotel ${spec.id}`,
      timezone: spec.timezone ?? 'Europe/Prague',
      checkInTime: spec.checkInTime ?? '15:00',
      checkOutTime: spec.checkOutTime ?? '11:00',
      mews:
        spec.provider === 'mews'
          ? {
              enterpriseId: r.uuid(),
              serviceId: r.uuid(),
              chainId: r.uuid(),
              accessToken: spec.credentials?.accessToken ?? `${r.hex(32).toUpperCase()}-${spec.id}`,
            }
          : null,
      beds24:
        spec.provider === 'beds24'
          ? { propertyId: 140_000 + this.world.properties.length + 1, account: spec.beds24Account ?? spec.id }
          : null,
      tbf:
        spec.provider === 'bookingfactory'
          ? {
              apiKey: spec.credentials?.apiKey ?? r.hex(40),
              hotelId: spec.credentials?.hotelId ?? String(r.int(1000, 9999)),
            }
          : null,
    };
    this.world.properties.push(property);
    if (property.beds24 && !this.world.beds24.accounts.some((a) => a.name === property.beds24?.account)) {
      this.world.beds24.accounts.push({
        name: property.beds24.account,
        inviteCode: `invite-${r.hex(12)}`,
        refreshToken: spec.credentials?.refreshToken ?? r.hex(64),
        scopes: ['read:bookings', 'write:bookings', 'read:bookings-personal', 'read:properties'],
        tokens: {},
        credits: [],
      });
    }
    const units = spec.units ?? 0;
    const unitSpecs: UnitSpec[] =
      typeof units === 'number'
        ? Array.from({ length: units }, (_, i) => ({
            name: String(100 * (1 + Math.floor(i / 10)) + (i % 10) + 1),
            category: categoryNames[i % categoryNames.length] ?? 'Standard Double',
          }))
        : units.map((u) => (typeof u === 'string' ? { name: u } : u));
    for (const u of unitSpecs) this.addUnit(spec.id, u);
    if (spec.entranceLock)
      this.addLock({ propertyId: spec.id, unitName: null, alias: `${spec.id} entrance` });
    const reservations = spec.reservations;
    if (typeof reservations === 'number') this.generateReservations(spec.id, { count: reservations });
    else if (Array.isArray(reservations)) for (const res of reservations) this.addReservation(spec.id, res);
    else if (reservations) this.generateReservations(spec.id, reservations);
    return property;
  }

  private category(propertyId: string, name: string): WorldCategory {
    const found = this.world.categories.find((c) => c.propertyId === propertyId && c.name === name);
    if (found) return found;
    const category: WorldCategory = {
      propertyId,
      name,
      seq: this.nextSeq(),
      mewsId: this.rng.uuid(),
      beds24RoomId: 316_000 + this.world.categories.length + 1,
    };
    this.world.categories.push(category);
    return category;
  }

  addUnit(propertyId: string, spec: UnitSpec): WorldUnit {
    this.property(propertyId);
    if (this.findUnit(propertyId, spec.name))
      throw new Error(`unit ${spec.name} already exists in ${propertyId}`);
    const category = this.category(propertyId, spec.category ?? 'Standard Double');
    const now = this.clock.now();
    const unit: WorldUnit = {
      propertyId,
      unitName: spec.name,
      category: category.name,
      active: true,
      seq: this.nextSeq(),
      createdUtc: now,
      updatedUtc: now,
      mews: { resourceId: this.rng.uuid(), categoryId: category.mewsId, assignmentId: this.rng.uuid() },
      beds24: {
        roomId: category.beds24RoomId,
        unitId:
          this.world.units.filter((u) => u.propertyId === propertyId && u.category === category.name).length +
          1,
      },
      tbf: { roomId: `${propertyId}-${spec.name}` },
    };
    this.world.units.push(unit);
    if (spec.lock !== false)
      this.addLock({ propertyId, unitName: spec.name, alias: `${propertyId} ${spec.name}` });
    return unit;
  }

  addLock(spec: {
    propertyId: string | null;
    unitName: string | null;
    alias?: string;
    hasGateway?: boolean;
    lockId?: number;
  }): SciLock {
    const lockId = spec.lockId ?? 1001 + this.world.sciener.locks.length;
    const lock: SciLock = {
      lockId,
      lockName: `S31_${this.rng.hex(4)}`,
      lockAlias: spec.alias ?? `Lock ${lockId}`,
      lockMac: Array.from({ length: 6 }, () => this.rng.hex(2).toUpperCase()).join(':'),
      hasGateway: spec.hasGateway ?? true,
      gatewayOnline: true,
      electricQuantity: this.rng.int(40, 100),
      propertyId: spec.propertyId,
      unitName: spec.unitName,
      date: this.clock.now().getTime(),
    };
    this.world.sciener.locks.push(lock);
    return lock;
  }

  addReservation(propertyId: string, spec: ReservationSpec): WorldReservation {
    const property = this.property(propertyId);
    if (spec.unit !== null && !this.findUnit(propertyId, spec.unit)) {
      throw new Error(`unit ${spec.unit} does not exist in ${propertyId}`);
    }
    const r = this.rng;
    const now = this.clock.now();
    const guest =
      typeof spec.guest === 'string'
        ? splitName(spec.guest)
        : (spec.guest ?? { firstName: r.pick(firstNames), lastName: r.pick(lastNames) });
    const guestRecord = {
      id: r.uuid(),
      firstName: guest.firstName,
      lastName: guest.lastName,
      email: guest.email ?? `${guest.firstName}.${guest.lastName}.${r.hex(4)}@guest.example`.toLowerCase(),
      phone: guest.phone ?? `+420${r.int(600_000_000, 799_999_999)}`,
      seq: this.nextSeq(),
      createdUtc: now,
      updatedUtc: now,
    };
    this.world.guests.push(guestRecord);
    const state = spec.state ?? 'Confirmed';
    const reservation: WorldReservation = {
      propertyId,
      id: spec.id ?? this.newReservationId(property),
      number: String(this.world.reservations.length + 1),
      unitName: spec.unit,
      arrival: spec.arrival,
      departure: spec.departure,
      startUtc: localInstant(spec.arrival, property.checkInTime, property.timezone),
      endUtc: localInstant(spec.departure, property.checkOutTime, property.timezone),
      actualStartUtc: null,
      actualEndUtc: null,
      state,
      beds24Status: spec.beds24Status ?? null,
      guestId: guestRecord.id,
      groupId: r.uuid(),
      seq: this.nextSeq(),
      createdUtc: now,
      updatedUtc: now,
      cancelledUtc: state === 'Canceled' ? now : null,
    };
    if (this.world.reservations.some((x) => x.id === reservation.id)) {
      throw new Error(`reservation ${reservation.id} already exists`);
    }
    this.world.reservations.push(reservation);
    return reservation;
  }

  private newReservationId(property: WorldProperty): string {
    if (property.kind === 'mews') return this.rng.uuid();
    if (property.kind === 'beds24') {
      const id = this.world.beds24.nextBookingId;
      this.world.beds24.nextBookingId += 1;
      return String(id);
    }
    return `BKF-${String(this.rng.int(0, 999_999)).padStart(6, '0')}-W`;
  }

  /**
   * Random stays that never double-book a unit (cancelled ones may overlap, as in a real PMS).
   * Stays that find no free slot after a few tries are skipped, so `count` is an upper bound.
   */
  generateReservations(propertyId: string, spec: GenerateSpec): WorldReservation[] {
    const property = this.property(propertyId);
    const units = this.world.units.filter((u) => u.propertyId === propertyId);
    const today = localDateOf(this.clock.now(), property.timezone);
    const within = spec.withinDays ?? 30;
    const offset = spec.startOffsetDays ?? 0;
    const maxNights = spec.maxNights ?? 7;
    const created: WorldReservation[] = [];
    const r = this.rng;
    for (let i = 0; i < spec.count; i++) {
      const cancelled = r.next() < (spec.cancelledRatio ?? 0.1);
      const unassigned = units.length === 0 || r.next() < (spec.unassignedRatio ?? 0);
      for (let attempt = 0; attempt < 12; attempt++) {
        const arrival = addDays(today, offset + r.int(0, Math.max(0, within - 1)));
        const departure = addDays(arrival, r.int(1, maxNights));
        const unit = unassigned ? null : r.pick(units).unitName;
        if (!cancelled && unit !== null && this.overlaps(propertyId, unit, arrival, departure, null))
          continue;
        created.push(
          this.addReservation(propertyId, {
            unit,
            arrival,
            departure,
            state: cancelled ? 'Canceled' : 'Confirmed',
          }),
        );
        break;
      }
    }
    return created;
  }

  private overlaps(
    propertyId: string,
    unit: string,
    arrival: string,
    departure: string,
    except: string | null,
  ): boolean {
    return this.world.reservations.some(
      (x) =>
        x.propertyId === propertyId &&
        x.unitName === unit &&
        x.id !== except &&
        x.state !== 'Canceled' &&
        x.arrival < departure &&
        arrival < x.departure,
    );
  }

  // ---- mutations (what a receptionist does in the PMS) ----

  changeDates(reservationId: string, dates: { arrival: string; departure: string }): WorldReservation {
    const res = this.reservation(reservationId);
    const property = this.property(res.propertyId);
    res.arrival = dates.arrival;
    res.departure = dates.departure;
    res.startUtc = localInstant(dates.arrival, property.checkInTime, property.timezone);
    res.endUtc = localInstant(dates.departure, property.checkOutTime, property.timezone);
    return this.touch(res);
  }

  moveRoom(reservationId: string, unitName: string | null): WorldReservation {
    const res = this.reservation(reservationId);
    if (unitName !== null && !this.findUnit(res.propertyId, unitName)) {
      throw new Error(`unit ${unitName} does not exist in ${res.propertyId}`);
    }
    res.unitName = unitName;
    return this.touch(res);
  }

  cancel(reservationId: string): WorldReservation {
    const res = this.reservation(reservationId);
    res.state = 'Canceled';
    res.beds24Status = null;
    res.cancelledUtc = this.clock.now();
    return this.touch(res);
  }

  setState(reservationId: string, state: ReservationState): WorldReservation {
    const res = this.reservation(reservationId);
    const now = this.clock.now();
    res.state = state;
    if (state === 'Started') res.actualStartUtc = now;
    if (state === 'Processed') res.actualEndUtc = now;
    if (state === 'Canceled') res.cancelledUtc = now;
    return this.touch(res);
  }

  renameGuest(reservationId: string, guest: GuestSpec): WorldReservation {
    const res = this.reservation(reservationId);
    const record = this.world.guests.find((g) => g.id === res.guestId);
    if (record) {
      record.firstName = guest.firstName;
      record.lastName = guest.lastName;
      record.updatedUtc = this.clock.now();
    }
    return this.touch(res);
  }

  /** Take a lock's gateway offline (-3002) or remove it (-2012). */
  setGateway(lockId: number, state: { online?: boolean; present?: boolean }): void {
    const lock = this.lock(lockId);
    if (state.online !== undefined) lock.gatewayOnline = state.online;
    if (state.present !== undefined) lock.hasGateway = state.present;
  }

  /** Expire every Sciener access token (the next call gets 10004). */
  expireScienerTokens(): void {
    const tokens = this.world.sciener.account.accessTokens;
    for (const key of Object.keys(tokens)) tokens[key] = 0;
  }

  /** Expire every Beds24 access token (the next call gets 401). */
  expireBeds24Tokens(): void {
    for (const account of this.world.beds24.accounts) {
      for (const key of Object.keys(account.tokens)) account.tokens[key] = 0;
    }
  }

  private touch(res: WorldReservation): WorldReservation {
    res.updatedUtc = this.clock.now();
    return res;
  }

  // ---- lookups ----

  property(id: string): WorldProperty {
    const found = this.world.properties.find((p) => p.id === id);
    if (!found) throw new Error(`unknown property ${id}`);
    return found;
  }

  reservation(id: string): WorldReservation {
    const found = this.world.reservations.find((r) => r.id === id);
    if (!found) throw new Error(`unknown reservation ${id}`);
    return found;
  }

  lock(lockId: number): SciLock {
    const found = this.world.sciener.locks.find((l) => l.lockId === lockId);
    if (!found) throw new Error(`unknown lock ${lockId}`);
    return found;
  }

  findUnit(propertyId: string, unitName: string): WorldUnit | undefined {
    return this.world.units.find((u) => u.propertyId === propertyId && u.unitName === unitName);
  }

  reservations(propertyId?: string): WorldReservation[] {
    return this.world.reservations.filter((r) => propertyId === undefined || r.propertyId === propertyId);
  }

  /** Units with every vendor id and their lock, to build configs and unit mappings from. */
  units(propertyId?: string): UnitInfo[] {
    return this.world.units
      .filter((u) => propertyId === undefined || u.propertyId === propertyId)
      .map((u) => ({
        propertyId: u.propertyId,
        unitName: u.unitName,
        category: u.category,
        mewsResourceId: u.mews.resourceId,
        beds24RoomId: u.beds24.roomId,
        beds24UnitId: u.beds24.unitId,
        tbfRoomId: u.tbf.roomId,
        lockId:
          this.world.sciener.locks.find((l) => l.propertyId === u.propertyId && l.unitName === u.unitName)
            ?.lockId ?? null,
      }));
  }

  locks(propertyId?: string): SciLock[] {
    return this.world.sciener.locks.filter((l) => propertyId === undefined || l.propertyId === propertyId);
  }

  credentials(): Credentials {
    const { account } = this.world.sciener;
    const mewsProps: Credentials['mews']['properties'] = {};
    const beds24: Credentials['beds24'] = {};
    const tbf: Credentials['tbf'] = {};
    for (const p of this.world.properties) {
      if (p.mews) {
        mewsProps[p.id] = {
          accessToken: p.mews.accessToken,
          enterpriseId: p.mews.enterpriseId,
          serviceId: p.mews.serviceId,
        };
      }
      if (p.beds24) {
        const acc = this.world.beds24.accounts.find((a) => a.name === p.beds24?.account);
        if (acc)
          beds24[p.id] = {
            refreshToken: acc.refreshToken,
            inviteCode: acc.inviteCode,
            propertyId: p.beds24.propertyId,
            account: acc.name,
          };
      }
      if (p.tbf) tbf[p.id] = { apiKey: p.tbf.apiKey, hotelId: p.tbf.hotelId };
    }
    return {
      mews: { clientToken: this.world.mews.clientToken, properties: mewsProps },
      beds24,
      tbf,
      sciener: {
        clientId: account.clientId,
        clientSecret: account.clientSecret,
        username: account.username,
        password: account.password,
        passwordMd5: md5Hex(account.password),
      },
    };
  }
}

export function createScenario(options: ScenarioOptions = {}): Scenario {
  return new Scenario(options);
}

function splitName(full: string): GuestSpec {
  const parts = full.trim().split(/\s+/);
  const lastName = parts.pop() ?? full;
  return { firstName: parts.join(' '), lastName };
}
