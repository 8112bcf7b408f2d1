import type { WriteBackItem } from '@brafa/core';
import type { ResourceAccessTokenParameters, ResourceAccessTokenUpdate } from '../client/client.js';
import { formatUtc } from '../client/paging.js';
import type { ResourceAccessToken } from '../client/schemas.js';

export interface TokenPermissions {
  Bed: boolean;
  Room: boolean;
  Floor: boolean;
  Building: boolean;
}

/** A private room's PIN: the room door only (reference §9.6). */
export const DEFAULT_PERMISSIONS: TokenPermissions = {
  Bed: false,
  Room: true,
  Floor: false,
  Building: false,
};

/** The reservation id doubles as the service order id that tokens and notes reference. */
export function serviceOrderIdOf(item: WriteBackItem): string {
  return item.externalIds.serviceOrderId ?? item.externalIds.reservationId ?? item.bookingId;
}

export function resourceIdOf(item: WriteBackItem): string | null {
  return item.resourceId ?? item.externalIds.resourceId ?? null;
}

/** What to do for one item, decided from the tokens MEWS holds for its service order. */
export interface TokenDecision {
  /** Token ids to delete first (a room move: `ResourceId` is not updatable). */
  deletes: string[];
  add: ResourceAccessTokenParameters | null;
  update: ResourceAccessTokenUpdate | null;
  /** The token that already holds the wanted state, or that the update targets. */
  tokenId: string | null;
}

function wrapPermissions(p: TokenPermissions): ResourceAccessTokenParameters['Permissions'] {
  return {
    Bed: { Value: p.Bed },
    Room: { Value: p.Room },
    Floor: { Value: p.Floor },
    Building: { Value: p.Building },
  };
}

/** Compared at MEWS's precision (whole seconds), so sub-second input never causes a rewrite. */
const sameInstant = (a: string, b: Date) => Date.parse(a) === Date.parse(formatUtc(b));

function samePermissions(token: ResourceAccessToken, p: TokenPermissions): boolean {
  const t = token.Permissions;
  if (!t) return false;
  return t.Bed === p.Bed && t.Room === p.Room && t.Floor === p.Floor && t.Building === p.Building;
}

/**
 * Ours, as far as MEWS lets us tell: an active `PinCode` token on the service order, with
 * the id we stored (`ref`) or, when the ref was lost, on the same resource (reference §9.6).
 */
function pinTokens(tokens: ResourceAccessToken[]): ResourceAccessToken[] {
  return tokens.filter((t) => t.Type === 'PinCode' && t.IsActive);
}

const onResource = (t: ResourceAccessToken, resourceId: string | null) =>
  (t.ResourceId ?? null) === resourceId;

export interface UpsertTarget {
  passcode: string;
  validFrom: Date;
  validTo: Date;
}

export function decideUpsert(
  item: WriteBackItem,
  target: UpsertTarget,
  tokens: ResourceAccessToken[],
  permissions: TokenPermissions,
): TokenDecision {
  const resourceId = resourceIdOf(item);
  const pins = pinTokens(tokens);
  const byRef = item.ref ? pins.find((t) => t.Id === item.ref) : undefined;
  const refMoved = byRef !== undefined && !onResource(byRef, resourceId);
  const existing = byRef && !refMoved ? byRef : pins.find((t) => onResource(t, resourceId));
  // Ours beside the one we keep: the stored ref left on the old room, and any PinCode token of
  // this stay holding our digits (an add whose reply was lost, then a room move before the
  // retry: its id was never stored, and its resource is no longer the booking's). The digits
  // are derived per booking, so another system's PIN on the same stay does not carry them.
  const moved = pins
    .filter((t) => t !== existing && ((refMoved && t === byRef) || t.Value === target.passcode))
    .map((t) => t.Id);
  if (!existing) {
    return {
      deletes: moved,
      update: null,
      tokenId: null,
      add: {
        ServiceOrderId: serviceOrderIdOf(item),
        ResourceId: resourceId,
        Type: 'PinCode',
        Value: target.passcode,
        ValidityStartUtc: formatUtc(target.validFrom),
        ValidityEndUtc: formatUtc(target.validTo),
        Permissions: wrapPermissions(permissions),
      },
    };
  }
  const unchanged =
    existing.Value === target.passcode &&
    sameInstant(existing.ValidityStartUtc, target.validFrom) &&
    sameInstant(existing.ValidityEndUtc, target.validTo) &&
    samePermissions(existing, permissions);
  return {
    deletes: moved,
    add: null,
    tokenId: existing.Id,
    update: unchanged
      ? null
      : {
          ResourceAccessTokenId: existing.Id,
          Value: { Value: target.passcode },
          ValidityStartUtc: { Value: formatUtc(target.validFrom) },
          ValidityEndUtc: { Value: formatUtc(target.validTo) },
          Permissions: wrapPermissions(permissions),
        },
  };
}

/**
 * Tokens to delete for a revoked booking: ours by ref, our PinCode on the same resource, and
 * any PinCode of the stay holding the digits its doors had last (`item.passcode`): an add
 * whose reply was lost left no ref, and if the stay then lost or changed its room, that token
 * is on neither. The digits are derived per booking, so another system's PIN on the same stay
 * does not carry them.
 */
export function decideDelete(item: WriteBackItem, tokens: ResourceAccessToken[]): string[] {
  const resourceId = resourceIdOf(item);
  return pinTokens(tokens)
    .filter(
      (t) =>
        t.Id === item.ref ||
        onResource(t, resourceId) ||
        (item.passcode !== null && t.Value === item.passcode),
    )
    .map((t) => t.Id);
}
