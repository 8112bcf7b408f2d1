import type { Scenario } from './world/scenario.js';
import type { Beds24InfoItem, MewsAccessToken, MewsNote, SciCode, TbfKeycode } from './world/types.js';

/** One passcode as the sandbox sees it: the cloud record and/or what the lock really holds. */
export interface InspectedCode {
  keyboardPwdId: number;
  lockId: number;
  /** Digits in the cloud record, else the digits on the device. */
  passcode: string;
  name: string | null;
  startDate: Date | null;
  endDate: Date | null;
  /** Listed by `/v3/lock/listKeyboardPwd`. */
  inCloud: boolean;
  /** Actually on the lock: opens the door (addType 2 / changeType 2 / not yet deleted with deleteType 2). */
  onDevice: boolean;
  /** What the device holds, which can differ from the cloud (changeType 1, deleteType 1). */
  device: { passcode: string; startDate: Date | null; endDate: Date | null } | null;
}

export interface InspectedLock {
  lockId: number;
  alias: string;
  propertyId: string | null;
  unitName: string | null;
  hasGateway: boolean;
  gatewayOnline: boolean;
  codes: InspectedCode[];
}

const date = (ms: number): Date | null => (ms > 0 ? new Date(ms) : null);

function inspectCode(c: SciCode): InspectedCode {
  return {
    keyboardPwdId: c.keyboardPwdId,
    lockId: c.lockId,
    passcode: c.cloud?.passcode ?? c.device?.passcode ?? '',
    name: c.cloud?.name ?? null,
    startDate: date(c.cloud?.startDate ?? c.device?.startDate ?? 0),
    endDate: date(c.cloud?.endDate ?? c.device?.endDate ?? 0),
    inCloud: c.cloud !== null,
    onDevice: c.device !== null,
    device: c.device
      ? { passcode: c.device.passcode, startDate: date(c.device.startDate), endDate: date(c.device.endDate) }
      : null,
  };
}

/** Read-only views of what each vendor now stores; never goes through HTTP, never logged. */
export class Inspector {
  constructor(private readonly scenario: Scenario) {}

  private get world() {
    return this.scenario.world;
  }

  lockCodes(lockId: number | string): InspectedCode[] {
    return this.world.sciener.codes.filter((c) => c.lockId === Number(lockId)).map(inspectCode);
  }

  locks(): InspectedLock[] {
    return this.world.sciener.locks.map((l) => ({
      lockId: l.lockId,
      alias: l.lockAlias,
      propertyId: l.propertyId,
      unitName: l.unitName,
      hasGateway: l.hasGateway,
      gatewayOnline: l.gatewayOnline,
      codes: this.lockCodes(l.lockId),
    }));
  }

  /** MEWS resource access tokens; deleted ones only when asked. */
  mewsTokens(
    filter: { propertyId?: string; serviceOrderId?: string; includeDeleted?: boolean } = {},
  ): MewsAccessToken[] {
    const enterpriseId =
      filter.propertyId === undefined
        ? undefined
        : this.scenario.property(filter.propertyId).mews?.enterpriseId;
    return this.world.mews.tokens
      .filter((t) => enterpriseId === undefined || t.EnterpriseId === enterpriseId)
      .filter((t) => filter.serviceOrderId === undefined || t.ServiceOrderId === filter.serviceOrderId)
      .filter((t) => filter.includeDeleted === true || t.IsActive)
      .map((t) => ({ ...t, Permissions: { ...t.Permissions } }));
  }

  mewsNotes(filter: { serviceOrderId?: string } = {}): MewsNote[] {
    return this.world.mews.notes
      .filter((n) => filter.serviceOrderId === undefined || n.OrderId === filter.serviceOrderId)
      .map((n) => ({ ...n }));
  }

  beds24InfoItems(filter: { bookingId?: number | string; code?: string } = {}): Beds24InfoItem[] {
    return this.world.beds24.infoItems
      .filter((i) => filter.bookingId === undefined || i.bookingId === Number(filter.bookingId))
      .filter((i) => filter.code === undefined || i.code === filter.code)
      .map((i) => ({ ...i }));
  }

  tbfKeycodes(filter: { reservationId?: string } = {}): TbfKeycode[] {
    return this.world.tbf.keycodes
      .filter((k) => filter.reservationId === undefined || k.reservationId === filter.reservationId)
      .map((k) => ({ ...k }));
  }
}
