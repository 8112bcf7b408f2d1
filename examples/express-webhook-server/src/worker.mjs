/**
 * The worker loop: `engine.dispatch()` every `intervalMs`, and at once when woken (an accepted
 * webhook has just queued work). One round at a time; `stop()` lets the current round finish.
 * With `catchUp`, the first round is `engine.run()`: a full sync of every property, since
 * webhooks only tell us what changes from now on.
 *
 * @param {import('@brafa/core').Engine} engine
 * @param {{ intervalMs?: number, catchUp?: boolean, logger?: import('@brafa/core').Logger }} [options]
 */
export function startWorker(engine, { intervalMs = 5_000, catchUp = false, logger } = {}) {
  let stopped = false;
  let woken = false;
  /** @type {(() => void) | undefined} */
  let wakeUp;

  const loop = (async () => {
    let first = catchUp;
    while (!stopped) {
      woken = false;
      try {
        if (first) {
          const { syncs, errors } = await engine.run();
          logger?.info('catch-up sync done', { syncs, errors });
        } else {
          await engine.dispatch();
        }
      } catch (error) {
        // A failed round (database down, say) is logged and retried on the next one.
        logger?.error('worker round failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      first = false;
      // A wake-up during the round means new work arrived after the claim: go again at once.
      if (stopped || woken) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve(undefined);
        };
      });
      wakeUp = undefined;
    }
  })();

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  return {
    wake,
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}
