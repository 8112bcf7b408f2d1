import { createHash } from 'node:crypto';
import {
  type Clock,
  type Logger,
  maskPasscode,
  Redactor,
  silentLogger,
  systemClock,
  TransientError,
} from '@brafa/core';
import { Semaphore } from '../concurrency/semaphore.js';
import { nextBeijingMonthStart } from '../errors/beijing-month.js';
import { ERRCODE, errcodeInfo } from '../errors/codes.js';
import { type CallContext, errcodeError } from '../errors/map.js';
import { CallBudget, type CallUsage } from '../usage/call-budget.js';
import { errcodeOf, type HttpCall, type JsonBody, sendHttp } from './http.js';
import { resolveBaseUrl, type ScienerClientOptions, validateOptions } from './options.js';
import { type ScienerTokens, TokenManager } from './tokens.js';
import { fetchTransport, nodeTransport, type Transport } from './transport.js';

/** One `/v3` API call; the client adds `clientId`, `accessToken` and `date`. */
export interface ApiCall {
  method: 'GET' | 'POST';
  /** `v3/keyboardPwd/add` */
  path: string;
  params: Record<string, string | number>;
  /** `gateway` calls reach the lock through a gateway and get the long timeout. */
  kind: 'gateway' | 'read';
  lockId?: string;
  /** Digits in this request, masked if TTLock echoes them in an errmsg. */
  passcodes?: string[];
}

const DEFAULT_GATEWAY_TIMEOUT_MS = 35_000;
const DEFAULT_READ_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_CONCURRENCY = 8;
const DEFAULT_REFRESH_MARGIN_MS = 7 * 24 * 60 * 60 * 1000;
/** Pause before the single in-client retry of errcode 1 ("failed"). */
const RETRY_ONCE_DELAY_MS = 2_000;

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * TTLock Open Platform client: OAuth with refresh, form-encoded POSTs and query GETs with the
 * common parameters, errcode → core typed errors, a monthly call counter, and a pause of
 * every call after a quota error so a blocked account does not keep burning requests.
 */
export class ScienerClient {
  readonly baseUrl: string;
  private readonly clientId: string;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly tokenManager: TokenManager;
  private readonly budget: CallBudget;
  private readonly slots: Semaphore;
  private readonly gatewayTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private pause: { until: number; errcode: number; reason: string } | undefined;

  constructor(options: ScienerClientOptions) {
    validateOptions(options);
    this.baseUrl = resolveBaseUrl(options.host);
    this.clientId = options.clientId;
    this.transport = options.fetch
      ? fetchTransport(options.fetch)
      : nodeTransport(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.logger = options.logger ?? silentLogger;
    this.budget = options.budget ?? new CallBudget();
    this.slots = new Semaphore(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
    this.gatewayTimeoutMs = options.timeouts?.gatewayMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
    this.readTimeoutMs = options.timeouts?.readMs ?? DEFAULT_READ_TIMEOUT_MS;
    const passwordMd5 =
      options.passwordMd5?.toLowerCase() ?? (options.password ? md5Hex(options.password) : undefined);
    this.redactor = new Redactor([options.clientSecret, options.password, passwordMd5]);
    this.tokenManager = new TokenManager({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      username: options.username,
      passwordMd5,
      initial: options.tokens,
      onTokens: options.onTokens,
      refreshMarginMs: options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS,
      clock: this.clock,
      logger: this.logger,
      postToken: (params) => this.postToken(params),
      onSecret: (secret) => this.redactor.add(secret),
    });
  }

  /** Current tokens, e.g. to persist them at shutdown. */
  tokens(): ScienerTokens | undefined {
    return this.tokenManager.snapshot();
  }

  /** API calls counted this Beijing-time month. */
  usage(): CallUsage {
    return this.budget.usage(this.clock.now());
  }

  /**
   * Runs one API call and returns its body when `errcode` is absent or 0. On 10003/10004 it
   * refreshes the token once (shared with concurrent callers) and retries; errcode 1 and
   * 80000 are retried once; everything else becomes a typed error at once.
   */
  async call(call: ApiCall): Promise<JsonBody> {
    const context = this.contextOf(call);
    let token = await this.tokenManager.accessToken();
    let refreshed = false;
    let retried = false;
    for (;;) {
      const body = await this.send(call, context, token);
      const errcode = errcodeOf(body);
      if (errcode === 0) return body;
      if (isAuthRefreshableCode(errcode) && !refreshed) {
        refreshed = true;
        token = await this.tokenManager.afterRejection(token);
        continue;
      }
      if (errcodeInfo(errcode).class === 'transient-once' && !retried) {
        retried = true;
        // 80000 is a stale `date`; resending recomputes it, so no wait is needed.
        if (errcode !== ERRCODE.dateSkew) await this.sleep(RETRY_ONCE_DELAY_MS);
        continue;
      }
      throw this.failure(errcode, body.errmsg, context, refreshed);
    }
  }

  private failure(errcode: number, errmsg: unknown, context: CallContext, refreshed: boolean): Error {
    const now = this.clock.now().getTime();
    if (errcode === ERRCODE.monthlyCap) {
      const until = nextBeijingMonthStart(this.clock.now());
      const note = `all TTLock calls are paused until the quota resets at ${until.toISOString()} (1st of the month, Beijing time); upgrade the developer plan to resume sooner`;
      this.pauseUntil(until.getTime(), errcode, note);
      return errcodeError(errcode, errmsg, context, { retryAfterMs: until.getTime() - now, note });
    }
    if (errcode === ERRCODE.rateLimited) {
      const waitMs = errcodeInfo(errcode).retryAfterMs ?? 0;
      const note = `TTLock calls are paused until ${new Date(now + waitMs).toISOString()}`;
      this.pauseUntil(now + waitMs, errcode, note);
      return errcodeError(errcode, errmsg, context, { note });
    }
    if (errcode === ERRCODE.dateSkew) {
      this.logger.error('TTLock rejects our request time twice (80000): check this host clock (NTP)', {
        now: this.clock.now(),
      });
    }
    // 10003/10004 after a refresh map to AuthError through the table.
    return errcodeError(errcode, errmsg, context, refreshed ? { note: 'even after a token refresh' } : {});
  }

  private pauseUntil(until: number, errcode: number, reason: string): void {
    this.pause = { until, errcode, reason };
    this.logger.error(`TTLock quota error ${errcode}: ${reason}`, { errcode });
  }

  /** Fails fast while a quota pause is on, without spending a call. */
  private assertNotPaused(context: CallContext): void {
    const pause = this.pause;
    if (!pause) return;
    const now = this.clock.now().getTime();
    if (now >= pause.until) {
      this.pause = undefined;
      return;
    }
    throw new TransientError(`TTLock ${context.operation} not sent: ${pause.reason}`, {
      code: pause.errcode,
      retryAfterMs: pause.until - now,
    });
  }

  private async send(call: ApiCall, context: CallContext, accessToken: string): Promise<JsonBody> {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(call.params)) params[key] = String(value);
    return this.exchange({
      method: call.method,
      path: call.path,
      params: { clientId: this.clientId, accessToken, ...params },
      timeoutMs: call.kind === 'gateway' ? this.gatewayTimeoutMs : this.readTimeoutMs,
      context,
      write: call.method === 'POST',
    });
  }

  private async postToken(params: Record<string, string>): Promise<JsonBody> {
    const context: CallContext = { operation: 'oauth2/token', redact: (t) => this.redactor.text(t) };
    const body = await this.exchange({
      method: 'POST',
      path: 'oauth2/token',
      params,
      timeoutMs: this.readTimeoutMs,
      context,
      write: false,
      noDate: true,
    });
    const errcode = errcodeOf(body);
    if (errcode !== 0) throw this.failure(errcode, body.errmsg, context, false);
    return body;
  }

  /** Every HTTP request goes through here: quota pause, concurrency slot, counter, `date`. */
  private async exchange(call: HttpCall & { noDate?: boolean }): Promise<JsonBody> {
    this.assertNotPaused(call.context);
    return this.slots.run(async () => {
      const now = this.clock.now();
      this.budget.record(now, this.logger);
      const params = call.noDate ? call.params : { ...call.params, date: String(now.getTime()) };
      return sendHttp(this.transport, this.baseUrl, { ...call, params });
    });
  }

  private contextOf(call: ApiCall): CallContext {
    const passcodes = call.passcodes ?? [];
    return {
      operation: call.path,
      ...(call.lockId === undefined ? {} : { lockId: call.lockId }),
      redact: (text) => {
        let out = this.redactor.text(text);
        for (const p of passcodes) if (p) out = out.split(p).join(maskPasscode(p));
        return out;
      },
    };
  }
}

function isAuthRefreshableCode(errcode: number): boolean {
  return errcode === ERRCODE.tokenInvalid || errcode === ERRCODE.tokenMissing;
}
