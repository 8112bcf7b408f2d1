import type { ManualClock } from '@brafa/core';

/** Timers for the scheduler driven by hand: `fireNext()` moves the clock to the timer and fires it. */
export function manualTimers(clock: ManualClock) {
  let pending: { fn: () => void; at: number } | undefined;
  return {
    timers: {
      setTimeout(fn: () => void, ms: number) {
        pending = { fn, at: clock.now().getTime() + ms };
        return pending;
      },
      clearTimeout(handle: unknown) {
        if (handle === pending) pending = undefined;
      },
    },
    /** When the armed timer fires, or undefined when none is armed. */
    due: () => (pending ? new Date(pending.at) : undefined),
    fireNext(): Date {
      if (!pending) throw new Error('no timer armed');
      const { fn, at } = pending;
      pending = undefined;
      clock.set(new Date(at));
      fn();
      return new Date(at);
    },
  };
}

export function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
