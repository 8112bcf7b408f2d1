/**
 * A lock handed to waiters in arrival order: a release wakes exactly the next waiter (O(1)),
 * never all of them.
 */
export class FifoMutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    // Ownership passes straight from `unlock` to the waiter: `#locked` stays true.
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}
