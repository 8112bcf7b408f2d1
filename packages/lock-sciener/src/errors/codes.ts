/**
 * TTLock errcodes and what to do about them (reference §8). The adapter decides the error
 * class from this table alone, so classification is reviewable in one place.
 */

export type ErrcodeClass =
  /** Retry later with backoff; `retryAfterMs` is a hint for the engine. */
  | 'transient'
  /** Retried once inside the client, then surfaced. */
  | 'transient-once'
  | 'permanent'
  /** Refresh the token (or log in again), then retry the call once. */
  | 'auth-refresh'
  /** Credentials or application are wrong: operator action. */
  | 'auth-fatal'
  | 'duplicate'
  /** No room on the lock for another code: permanent for now, retried when codes come off. */
  | 'full'
  /** Call-rate limit: pause all calls for a while. */
  | 'quota-rate'
  /** Monthly cap: pause all calls until the month rolls over in Beijing time. */
  | 'quota-month'
  /** On delete: the code is already gone, which is what we wanted. */
  | 'gone';

export interface ErrcodeInfo {
  class: ErrcodeClass;
  /** What it means and what to do, in words an operator can act on. */
  hint: string;
  retryAfterMs?: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const TABLE: Record<number, ErrcodeInfo> = {
  1: { class: 'transient-once', hint: 'TTLock reported a generic failure' },
  [-3]: { class: 'permanent', hint: 'invalid parameter (adapter bug, please report)' },
  10000: { class: 'auth-fatal', hint: 'client_id does not exist: check clientId' },
  10001: { class: 'auth-fatal', hint: 'invalid client: check clientId and clientSecret' },
  10003: { class: 'auth-refresh', hint: 'access token does not exist' },
  10004: { class: 'auth-refresh', hint: 'access token invalid, revoked or expired' },
  10007: { class: 'auth-fatal', hint: 'invalid TTLock app account or password' },
  10011: { class: 'auth-refresh', hint: 'invalid refresh token' },
  20002: { class: 'permanent', hint: 'the account is not an administrator of this lock' },
  30006: {
    class: 'quota-rate',
    hint: 'API call-rate restriction exceeded: lower the call rate',
    retryAfterMs: 5 * MINUTE,
  },
  30007: { class: 'quota-month', hint: 'monthly API call limit of the developer account exceeded' },
  30008: {
    class: 'permanent',
    hint: 'wrong region host: use cnapi.ttlock.com for mainland-China accounts, euapi.ttlock.com otherwise',
  },
  80000: {
    class: 'transient-once',
    hint: 'request date is not within 5 minutes of TTLock time (clock skew?)',
  },
  80002: { class: 'permanent', hint: 'invalid JSON format (adapter bug, please report)' },
  90000: { class: 'transient', hint: 'TTLock internal server error', retryAfterMs: 30 * SECOND },
  [-1003]: { class: 'permanent', hint: 'lock does not exist: the lock mapping is stale' },
  [-1007]: { class: 'permanent', hint: 'no passcode data on this lock: reset passcodes in the TTLock app' },
  [-2009]: { class: 'gone', hint: 'the passcode does not exist on the lock' },
  [-2012]: {
    class: 'transient',
    hint: 'the lock is not connected to any gateway',
    retryAfterMs: 5 * MINUTE,
  },
  [-2018]: { class: 'permanent', hint: 'permission denied: needs the top or an authorised administrator' },
  [-2025]: { class: 'permanent', hint: 'the lock is frozen: unfreeze it in the TTLock app' },
  [-2032]: {
    class: 'permanent',
    hint: 'passcode too simple (consecutive or repeated digits): choose another',
  },
  [-3002]: { class: 'transient', hint: 'the gateway is offline', retryAfterMs: 2 * MINUTE },
  [-3003]: { class: 'transient', hint: 'the gateway is busy', retryAfterMs: 10 * SECOND },
  [-3006]: {
    class: 'permanent',
    hint: 'invalid passcode length for this lock: use another length (4-9, some locks 6-9)',
  },
  [-3007]: { class: 'duplicate', hint: 'the same passcode already exists on the lock' },
  [-3008]: { class: 'permanent', hint: 'a passcode never used on the lock cannot be changed' },
  [-3009]: {
    class: 'full',
    hint: 'no space on the lock for more custom passcodes: delete unused or expired ones',
  },
  [-3034]: { class: 'permanent', hint: 'the Wi-Fi lock has no network configured' },
  [-3035]: { class: 'permanent', hint: 'the Wi-Fi lock is in power-saving mode: turn it off' },
  [-3036]: { class: 'transient', hint: 'the lock is offline', retryAfterMs: 2 * MINUTE },
  [-3037]: { class: 'transient', hint: 'the lock is busy', retryAfterMs: 10 * SECOND },
  [-4037]: { class: 'permanent', hint: 'no such gateway exists' },
  [-4043]: { class: 'permanent', hint: 'the function is not supported by this lock' },
  [-4056]: { class: 'full', hint: 'lock storage full: clean up codes' },
  [-4067]: { class: 'permanent', hint: 'NB-IoT device not registered' },
};

/** Unknown codes are permanent: retrying something we do not understand only burns quota. */
export function errcodeInfo(errcode: number): ErrcodeInfo {
  return TABLE[errcode] ?? { class: 'permanent', hint: 'unlisted TTLock error' };
}

export const ERRCODE = {
  failed: 1,
  tokenMissing: 10003,
  tokenInvalid: 10004,
  badRefreshToken: 10011,
  dateSkew: 80000,
  passcodeGone: -2009,
  duplicate: -3007,
  neverUsedCannotChange: -3008,
  rateLimited: 30006,
  monthlyCap: 30007,
} as const;
