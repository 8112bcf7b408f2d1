import type { Sandbox } from '@brafa/sandbox';

export interface LockWrite {
  key: string;
  op: 'add' | 'change' | 'delete';
  lockId: string;
  /** The reply never reached the client (dropped connection): it may have been applied. */
  lost: boolean;
  errcode: number | null;
}

const WRITE = /\/v3\/keyboardPwd\/(add|change|delete)$/;

/**
 * Records every lock write the sandbox receives, with what identifies the operation: an add
 * by (lock, digits), a change by (lock, code id, window, new digits), a delete by (lock, code
 * id). Two requests with the same key are the same operation sent twice.
 */
export function spyOnLockWrites(sandbox: Sandbox): { writes: LockWrite[]; restore(): void } {
  const writes: LockWrite[] = [];
  // Both transports answer through `reply` (msw by way of `handle`).
  const original = sandbox.reply.bind(sandbox);
  sandbox.reply = async (vendor, request) => {
    const op = vendor === 'sciener' ? WRITE.exec(new URL(request.url).pathname)?.[1] : undefined;
    if (!op) return original(vendor, request);
    const params = new URLSearchParams(await request.clone().text());
    const lockId = params.get('lockId') ?? '?';
    const key =
      op === 'add'
        ? `add lock ${lockId} digits ${params.get('keyboardPwd')}`
        : op === 'change'
          ? `change lock ${lockId} code ${params.get('keyboardPwdId')} ${params.get('startDate')}-${params.get('endDate')} ${params.get('newKeyboardPwd') ?? ''}`
          : `delete lock ${lockId} code ${params.get('keyboardPwdId')}`;
    const reply = await original(vendor, request);
    writes.push({ key, op: op as LockWrite['op'], lockId, lost: reply.dropped, errcode: reply.errcode });
    return reply;
  };
  return {
    writes,
    restore: () => {
      sandbox.reply = original;
    },
  };
}

/** Operations sent more often than one send plus one resend per lost reply. */
export function repeatedWrites(writes: LockWrite[]): string[] {
  const byKey = new Map<string, LockWrite[]>();
  for (const w of writes) byKey.set(w.key, [...(byKey.get(w.key) ?? []), w]);
  const out: string[] = [];
  for (const [key, list] of byKey) {
    const lost = list.filter((w) => w.lost).length;
    if (list.length > 1 + lost)
      out.push(
        `${key.replace(/digits \d+/, 'digits ******')}: sent ${list.length} times, ${lost} lost replies (${list.map((w) => (w.lost ? 'lost' : (w.errcode ?? 'ok'))).join(', ')})`,
      );
  }
  return out;
}
