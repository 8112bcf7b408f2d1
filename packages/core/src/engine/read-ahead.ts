/**
 * Pages one ahead: the next page is asked for as soon as one is handed over, so its round trip
 * overlaps the caller's work on the current one (a provider mapping it, the engine storing
 * it). It asks for no extra page on a walk that runs to its end, and for at most one on a walk
 * the caller abandons or fails in, which it lets settle before it closes the source. A failure
 * of the page ahead surfaces when that page is asked for, never as an unhandled rejection.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      // Awaited only when the caller asks for it: meanwhile a failure is not "unhandled".
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) {
      // The caller stopped early or failed: let the request ahead settle, then end the walk.
      await next.catch(() => undefined);
      await iterator.return?.(undefined);
    }
  }
}
