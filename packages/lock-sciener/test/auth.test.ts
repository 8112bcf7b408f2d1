import { AuthError, TransientError } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import type { ScienerTokens } from '../src/index.js';
import { createRig, FROM, TO, useMswServer } from './support/setup.js';

const server = useMswServer();
const DAY = 86_400_000;
const noAccount = { username: undefined, password: undefined };

describe('tokens', () => {
  it('logs in once and reuses the token for later calls', async () => {
    const { lock, fake } = createRig(server);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    await lock.findCode({ lockId: '102', passcode: '583920' });
    expect(fake.oauth).toEqual({ logins: 1, refreshes: 0 });
  });

  it('concurrent first calls share one login', async () => {
    const { lock, fake } = createRig(server);
    await Promise.all([
      lock.findCode({ lockId: '101', passcode: '583920' }),
      lock.findCode({ lockId: '102', passcode: '583920' }),
    ]);
    expect(fake.oauth.logins).toBe(1);
  });

  it('on 10004 two concurrent callers share exactly one refresh, then both succeed', async () => {
    const persisted: ScienerTokens[] = [];
    const { lock, fake } = createRig(server, { onTokens: (t) => void persisted.push(t) });
    await lock.findCode({ lockId: '101', passcode: '583920' });
    fake.revokeAccessTokens();
    const [a, b] = await Promise.all([
      lock.addCode({ lockId: '101', passcode: '583920', name: 'brafa:B1', validFrom: FROM, validTo: TO }),
      lock.addCode({ lockId: '102', passcode: '583920', name: 'brafa:B2', validFrom: FROM, validTo: TO }),
    ]);
    // Both requests really were rejected with the old token…
    expect(fake.errcodes.get(10004)).toBe(2);
    // …and one refresh served both.
    expect(fake.oauth).toEqual({ logins: 1, refreshes: 1 });
    expect(fake.codes(101).map((c) => String(c.keyboardPwdId))).toEqual([a.lockCodeId]);
    expect(fake.codes(102).map((c) => String(c.keyboardPwdId))).toEqual([b.lockCodeId]);
    expect(fake.requestsTo('oauth2/token')[1]?.fields).toEqual({
      clientId: 'client-1',
      clientSecret: 'client-secret-xyz',
      grant_type: 'refresh_token',
      refresh_token: persisted[0]?.refreshToken,
    });
    // The login and the refresh were both handed to the persistence hook.
    expect(persisted).toHaveLength(2);
    expect(persisted[1]?.accessToken).not.toBe(persisted[0]?.accessToken);
  });

  it('starts from persisted tokens without logging in', async () => {
    const { lock, fake } = createRig(server, (fake, clock) => {
      const expiresAt = clock.now().getTime() + 60 * DAY;
      return {
        ...noAccount,
        tokens: { ...fake.issueTokens(expiresAt), expiresAt: new Date(expiresAt).toISOString() },
      };
    });
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.oauth).toEqual({ logins: 0, refreshes: 0 });
  });

  it('refreshes before expiry (within the margin) and persists the new pair', async () => {
    const persisted: ScienerTokens[] = [];
    const { lock, fake, clock } = createRig(server, (fake, clock) => {
      const expiresAt = clock.now().getTime() + 3 * DAY; // inside the default 7-day margin
      return {
        ...noAccount,
        tokens: { ...fake.issueTokens(expiresAt), expiresAt },
        onTokens: (t) => void persisted.push(t),
      };
    });
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.oauth).toEqual({ logins: 0, refreshes: 1 });
    expect(persisted).toHaveLength(1);
    expect(persisted[0]?.expiresAt.getTime()).toBe(clock.now().getTime() + 7_776_000_000);
    // The fake rotates refresh tokens: the old one is gone, so the client must use the new one.
    fake.revokeAccessTokens();
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.oauth).toEqual({ logins: 0, refreshes: 2 });
  });

  it('keeps working on the old token when a proactive refresh fails for a passing reason', async () => {
    const { lock, fake } = createRig(server, (fake, clock) => {
      const expiresAt = clock.now().getTime() + 3 * DAY;
      return { ...noAccount, tokens: { ...fake.issueTokens(expiresAt), expiresAt } };
    });
    fake.answerRawNext('oauth2/token', 503, 'busy');
    await expect(lock.findCode({ lockId: '101', passcode: '583920' })).resolves.toBeUndefined();
    // The refresh was tried (and failed), then the call went out with the old token.
    expect(fake.requestsTo('oauth2/token').map((r) => r.fields.grant_type)).toEqual(['refresh_token']);
    expect(fake.oauth.refreshes).toBe(0);
    expect(fake.requestsTo('lock/listKeyboardPwd')).toHaveLength(1);
  });

  it('falls back to a password login when the refresh token is rejected (10011)', async () => {
    const { lock, fake } = createRig(server, (fake, clock) => {
      const expiresAt = clock.now().getTime() + 60 * DAY;
      return {
        tokens: {
          accessToken: fake.issueTokens(expiresAt).accessToken,
          refreshToken: 'rt-unknown-000000',
          expiresAt,
        },
      };
    });
    fake.revokeAccessTokens();
    await lock.findCode({ lockId: '101', passcode: '583920' });
    expect(fake.errcodes.get(10011)).toBe(1);
    expect(fake.oauth).toEqual({ logins: 1, refreshes: 0 });
  });

  it('without a password, a rejected refresh token is an AuthError asking to re-authorise', async () => {
    const { lock, fake } = createRig(server, (fake, clock) => {
      const expiresAt = clock.now().getTime() + 60 * DAY;
      return {
        ...noAccount,
        tokens: {
          accessToken: fake.issueTokens(expiresAt).accessToken,
          refreshToken: 'rt-unknown-000000',
          expiresAt,
        },
      };
    });
    fake.revokeAccessTokens();
    const error = await lock.findCode({ lockId: '101', passcode: '583920' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/re-authorise/);
  });

  it('a wrong app password is an AuthError that names the account problem and leaks no secret', async () => {
    const { lock } = createRig(server, { password: 'wrong-password' });
    const error = await lock.findCode({ lockId: '101', passcode: '583920' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 10007 });
    expect((error as Error).message).toMatch(/app account or password/);
    expect((error as Error).message).not.toMatch(/wrong-password|client-secret-xyz/);
  });

  it('a token still rejected after the refresh is an AuthError (one refresh, no loop)', async () => {
    const { lock, fake } = createRig(server);
    await lock.findCode({ lockId: '101', passcode: '583920' });
    fake.failNext('lock/listKeyboardPwd', 10004, 2);
    const error = await lock.findCode({ lockId: '101', passcode: '583920' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/even after a token refresh/);
    expect(fake.oauth.refreshes).toBe(1);
  });

  it('an OAuth endpoint that is down is transient, not an auth failure', async () => {
    const { lock, fake } = createRig(server);
    fake.answerRawNext('oauth2/token', 502, '<html>bad gateway</html>');
    await expect(lock.findCode({ lockId: '101', passcode: '583920' })).rejects.toBeInstanceOf(TransientError);
  });

  it('requires either the app account or stored tokens', () => {
    expect(() => createRig(server, noAccount)).toThrow(/app account|stored tokens/);
  });
});
