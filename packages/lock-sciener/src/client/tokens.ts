import { AuthError, type Clock, type Logger, TransientError } from '@brafa/core';
import { z } from 'zod';
import type { JsonBody } from './http.js';

/** What to persist (encrypted) so a restart does not log in again. */
export interface ScienerTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** TTLock user id of the app account, when the server sent it. */
  uid?: number;
}

/** Tokens as they come back from storage: `expiresAt` may have been serialised. */
export interface ScienerTokensInput {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date | string | number;
  uid?: number;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  uid: z.coerce.number().optional(),
});

export interface TokenManagerOptions {
  clientId: string;
  clientSecret: string;
  username: string | undefined;
  passwordMd5: string | undefined;
  initial: ScienerTokensInput | undefined;
  onTokens: ((tokens: ScienerTokens) => void | Promise<void>) | undefined;
  /** Refresh this long before expiry (the token lives 90 days). */
  refreshMarginMs: number;
  clock: Clock;
  logger: Logger;
  /** POST to `oauth2/token`; throws core typed errors for errcodes and transport failures. */
  postToken: (params: Record<string, string>) => Promise<JsonBody>;
  /** Registers each new secret with the client's redactor. */
  onSecret: (secret: string) => void;
}

/**
 * Holds the access token: logs in with the app account when there is none, refreshes it
 * before it expires and when TTLock rejects it, and never runs two refreshes at once —
 * concurrent callers share the one in flight (lessons #11: integrations died after 90 days).
 */
export class TokenManager {
  private tokens: ScienerTokens | undefined;
  private inflight: Promise<ScienerTokens> | undefined;

  constructor(private readonly options: TokenManagerOptions) {
    if (options.initial) {
      this.tokens = { ...options.initial, expiresAt: new Date(options.initial.expiresAt) };
      options.onSecret(this.tokens.accessToken);
      options.onSecret(this.tokens.refreshToken);
    }
  }

  /** The current tokens (for persistence or inspection), if any. */
  snapshot(): ScienerTokens | undefined {
    return this.tokens && { ...this.tokens };
  }

  /** A usable access token, logging in or refreshing first when needed. */
  async accessToken(): Promise<string> {
    const tokens = this.tokens;
    if (!tokens) return (await this.singleFlight(() => this.login())).accessToken;
    const now = this.options.clock.now().getTime();
    if (now < tokens.expiresAt.getTime() - this.options.refreshMarginMs) return tokens.accessToken;
    try {
      return (await this.singleFlight(() => this.refresh(tokens))).accessToken;
    } catch (error) {
      // A proactive refresh that fails for a passing reason must not stop work while the
      // old token is still valid; the next call tries again.
      if (error instanceof TransientError && now < tokens.expiresAt.getTime()) {
        this.options.logger.warn('TTLock token refresh failed; still using the current token', {
          reason: error.message,
        });
        return tokens.accessToken;
      }
      throw error;
    }
  }

  /**
   * TTLock rejected `rejected` (10003/10004). If another caller already replaced it, use the
   * new one; otherwise refresh (joining a refresh already in flight).
   */
  async afterRejection(rejected: string): Promise<string> {
    const current = this.tokens;
    if (current && current.accessToken !== rejected) return current.accessToken;
    if (this.inflight) return (await this.inflight).accessToken;
    const fresh = await this.singleFlight(() => (current ? this.refresh(current) : this.login()));
    return fresh.accessToken;
  }

  private singleFlight(run: () => Promise<ScienerTokens>): Promise<ScienerTokens> {
    if (!this.inflight) {
      this.inflight = run().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async refresh(tokens: ScienerTokens): Promise<ScienerTokens> {
    try {
      const body = await this.options.postToken({
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
      });
      return await this.accept(body, 'refresh');
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (!this.canLogin()) {
        throw new AuthError(
          'TTLock refresh token was rejected and no app account password is configured: re-authorise the connection',
          { code: error.code, cause: error },
        );
      }
      this.options.logger.warn('TTLock refresh token rejected; logging in again with the app account', {
        code: error.code,
      });
      return this.login();
    }
  }

  private canLogin(): boolean {
    return Boolean(this.options.username && this.options.passwordMd5);
  }

  private async login(): Promise<ScienerTokens> {
    if (!this.canLogin()) {
      throw new AuthError('TTLock has no usable token and no app account username/password is configured');
    }
    const body = await this.options.postToken({
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      grant_type: 'password',
      username: this.options.username ?? '',
      password: this.options.passwordMd5 ?? '',
    });
    return this.accept(body, 'login');
  }

  private async accept(body: JsonBody, how: 'login' | 'refresh'): Promise<ScienerTokens> {
    const parsed = tokenResponse.safeParse(body);
    if (!parsed.success) {
      throw new TransientError(
        `TTLock oauth2/token (${how}) answered without access_token/refresh_token/expires_in`,
        {
          code: 'bad_token_response',
        },
      );
    }
    const { access_token, refresh_token, expires_in, uid } = parsed.data;
    this.options.onSecret(access_token);
    this.options.onSecret(refresh_token);
    const tokens: ScienerTokens = {
      accessToken: access_token,
      refreshToken: refresh_token,
      expiresAt: new Date(this.options.clock.now().getTime() + expires_in * 1000),
      ...(uid === undefined ? {} : { uid }),
    };
    this.tokens = tokens;
    this.options.logger.info(`TTLock access token obtained by ${how}`, { expiresAt: tokens.expiresAt });
    try {
      await this.options.onTokens?.({ ...tokens });
    } catch (error) {
      // The tokens work in memory; failing to persist them costs a login after a restart,
      // not the current operation.
      this.options.logger.error('TTLock onTokens hook failed; tokens are not persisted', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return tokens;
  }
}
