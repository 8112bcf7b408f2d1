/**
 * One task at a time per key, in arrival order; different keys run independently. TTLock
 * gateways fail a second concurrent operation on the same lock, so every lock gets one lane.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every lock.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
