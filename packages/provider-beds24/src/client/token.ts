import type { Clock } from '@brafa/core';

export interface AccessToken {
  token: string;
  expiresAt: number;
}

/**
 * Caches the 24 h access token and refreshes it single-flight: concurrent callers share one
 * refresh request, because every refresh costs Beds24 credits (beds24.md §2.5).
 */
export class TokenCache {
  private current: AccessToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;

  constructor(
    private readonly refresh: () => Promise<{ token: string; expiresInMs: number }>,
    private readonly clock: Clock,
    /** Refresh this long before expiry so a request never leaves with a dying token. */
    private readonly marginMs = 5 * 60_000,
  ) {}

  async get(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.current && now < this.current.expiresAt) return this.current.token;
    return (await this.refreshOnce()).token;
  }

  /** Drop a token the server rejected, unless a newer one already replaced it. */
  invalidate(rejected: string): void {
    if (this.current?.token === rejected) this.current = undefined;
  }

  private refreshOnce(): Promise<AccessToken> {
    if (!this.inFlight) {
      this.inFlight = this.refresh()
        .then(({ token, expiresInMs }) => {
          // Short-lived tokens (the wiki shows 3600 s) keep at least half their life.
          const margin = Math.min(this.marginMs, expiresInMs / 2);
          this.current = { token, expiresAt: this.clock.now().getTime() + expiresInMs - margin };
          return this.current;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }
}
