import type { LockCode, LockInfo } from '@brafa/core';
import { z } from 'zod';

/**
 * Response shapes of the list calls, parsed leniently (the zh docs show numbers as strings)
 * and mapped to an allow-list of fields: `lockData` and other lock secrets never get past here.
 */

const idLike = z.union([z.string().min(1), z.number()]).transform(String);
const msOrNull = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v) => {
    const n = v === null || v === undefined || v === '' ? 0 : Number(v);
    return Number.isFinite(n) && n > 0 ? new Date(n) : null;
  });

export const passcodeItem = z.object({
  keyboardPwdId: idLike,
  keyboardPwd: idLike,
  keyboardPwdName: z.string().nullable().optional(),
  startDate: msOrNull,
  endDate: msOrNull,
});

export const lockItem = z.object({
  lockId: idLike,
  lockAlias: z.string().nullable().optional(),
  lockName: z.string().nullable().optional(),
  hasGateway: z.union([z.number(), z.string()]).nullable().optional(),
  electricQuantity: z.union([z.number(), z.string()]).nullable().optional(),
});

/** A page of any TTLock list call: `list` plus `pages` (page count; may be 0 when empty). */
export const listPage = z.object({
  list: z.array(z.unknown()).default([]),
  pages: z.coerce.number().optional(),
});

export const addResult = z.object({ keyboardPwdId: idLike });

export function toLockCode(item: z.output<typeof passcodeItem>): LockCode {
  return {
    lockCodeId: item.keyboardPwdId,
    passcode: item.keyboardPwd,
    name: item.keyboardPwdName || null,
    validFrom: item.startDate,
    validTo: item.endDate,
  };
}

/** A lock of the account, with what an operator needs to judge whether it can take remote codes. */
export interface ScienerLockInfo extends LockInfo {
  /** True when a gateway is linked: remote passcodes need one (or a Wi-Fi lock). */
  hasGateway: boolean | null;
  batteryPercent: number | null;
}

export function toLockInfo(item: z.output<typeof lockItem>): ScienerLockInfo {
  const battery =
    item.electricQuantity === null || item.electricQuantity === undefined
      ? NaN
      : Number(item.electricQuantity);
  return {
    lockId: item.lockId,
    name: item.lockAlias || item.lockName || null,
    hasGateway:
      item.hasGateway === null || item.hasGateway === undefined ? null : Number(item.hasGateway) !== 0,
    batteryPercent: Number.isFinite(battery) ? battery : null,
  };
}
