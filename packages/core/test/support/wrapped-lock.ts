import type { LockProvider } from '../../src/ports/lock.js';
import type { MemoryLock } from '../../src/testing/index.js';

/** Wraps a lock write (add, change, remove) of the in-memory lock. */
export type WriteWrapper = <A extends { lockId: string }, R>(
  write: (args: A) => Promise<R>,
) => (args: A) => Promise<R>;

/** The in-memory lock with every write going through `wrap` (reads untouched): a slow or busy gateway. */
export function wrappedLock(inner: MemoryLock, kind: string, wrap: WriteWrapper): LockProvider {
  return {
    kind,
    capabilities: inner.capabilities,
    addCode: wrap(inner.addCode.bind(inner)),
    changeCode: wrap(inner.changeCode.bind(inner)),
    removeCode: wrap(inner.removeCode.bind(inner)),
    findCode: inner.findCode.bind(inner),
    listCodes: inner.listCodes.bind(inner),
  };
}
