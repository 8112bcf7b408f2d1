import { AuthError, ManualClock, PermanentError, TransientError } from '@brafa/core';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { BEDS24_STATUSES, Beds24Client, type Beds24ClientOptions } from '../src/index.js';
import { FakeBeds24 } from './support/fake-beds24.js';
import { BEDS24_PROPERTY, booking, useMsw } from './support/setup.js';

const server = useMsw();

function setup(options: Partial<Beds24ClientOptions> & { pageSize?: number } = {}) {
  const clock = new ManualClock('2026-05-20T08:00:00Z');
  const fake = new FakeBeds24({ pageSize: options.pageSize ?? 100, now: () => clock.now() });
  server.use(...fake.handlers());
  const sleeps: number[] = [];
  const client = new Beds24Client({
    refreshToken: fake.refreshToken,
    baseUrl: fake.baseUrl,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...options,
  });
  return { fake, clock, client, sleeps };
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('Beds24Client: bookings', () => {
  it('follows pages until nextPageExists is false, repeating the same filters', async () => {
    const { fake, client } = setup({ pageSize: 2 });
    fake.seed([1, 2, 3, 4, 5].map((id) => booking(id)));
    const pages = await all(client.getBookings({ propertyId: [BEDS24_PROPERTY], status: BEDS24_STATUSES }));
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    const urls = fake.requestsTo('GET', '/bookings').map((r) => r.url.searchParams);
    expect(urls.map((q) => q.get('page'))).toEqual([null, '2', '3']);
    for (const q of urls) expect(q.getAll('status')).toEqual([...BEDS24_STATUSES]);
  });

  it('sends array filters as repeated parameters, never a comma list', async () => {
    const { fake, client } = setup();
    fake.seed([booking(11), booking(12), booking(13)]);
    const [page] = await all(client.getBookings({ id: [11, 13], status: ['confirmed', 'cancelled'] }));
    expect(page!.data.map((b) => (b as { id: number }).id)).toEqual([11, 13]);
    const q = fake.requestsTo('GET', '/bookings')[0]!.url.searchParams;
    expect(q.getAll('id')).toEqual(['11', '13']);
    expect(q.getAll('status')).toEqual(['confirmed', 'cancelled']);
  });

  it('sees cancelled bookings only because it asks for them', async () => {
    const { fake, client } = setup();
    fake.seed([booking(1), booking(2, { status: 'cancelled' })]);
    const withDefault = await all(client.getBookings({}));
    expect(withDefault[0]!.data).toHaveLength(1);
    const explicit = await all(client.getBookings({ status: BEDS24_STATUSES }));
    expect(explicit[0]!.data).toHaveLength(2);
  });

  it('stops with a permanent error on an unexpected envelope', async () => {
    const { fake, client } = setup();
    server.use(
      http.get(`${fake.baseUrl}/bookings`, () => HttpResponse.json({ success: true, data: 'nope' })),
    );
    await expect(all(client.getBookings({}))).rejects.toThrow(/unexpected response \(data/);
  });
});

describe('Beds24Client: tokens', () => {
  it('refreshes once for many concurrent requests (single flight) and sends the token header', async () => {
    const { fake, client } = setup({ concurrency: 8 });
    await Promise.all(Array.from({ length: 8 }, () => all(client.getBookings({}))));
    expect(fake.refreshCalls).toBe(1);
    const tokens = new Set(fake.requestsTo('GET', '/bookings').map((r) => r.headers.get('token')));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^access-1-/);
    expect(fake.requestsTo('GET', '/authentication/token')[0]!.headers.get('refreshToken')).toBe(
      fake.refreshToken,
    );
  });

  it('reuses the token for its lifetime and refreshes before it expires', async () => {
    const { fake, client, clock } = setup();
    await all(client.getBookings({}));
    clock.advance(23 * 60 * 60_000);
    await all(client.getBookings({}));
    expect(fake.refreshCalls).toBe(1);
    clock.advance(56 * 60_000); // 5 minutes before the 24 h expiry: refresh early
    await all(client.getBookings({}));
    expect(fake.refreshCalls).toBe(2);
  });

  it('refreshes once when the server rejects the token, then succeeds', async () => {
    const { fake, client } = setup();
    await all(client.getBookings({}));
    fake.revokeAccessTokens();
    await all(client.getBookings({}));
    expect(fake.refreshCalls).toBe(2);
  });

  it('raises AuthError, without the secret, when the refresh token is refused', async () => {
    const clock = new ManualClock();
    const fake = new FakeBeds24({ now: () => clock.now() });
    server.use(...fake.handlers());
    const client = new Beds24Client({
      refreshToken: 'wrong-refresh-token-xyz',
      baseUrl: fake.baseUrl,
      clock,
    });
    const error = await all(client.getBookings({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/Invalid refresh token/);
    expect((error as Error).message).not.toContain('wrong-refresh-token-xyz');
  });

  it('raises AuthError when a fresh token is rejected too', async () => {
    const { fake, client } = setup();
    server.use(
      http.get(`${fake.baseUrl}/bookings`, () =>
        HttpResponse.json(
          { success: false, type: 'error', code: 401, error: 'Token is missing or invalid' },
          { status: 401 },
        ),
      ),
    );
    await expect(all(client.getBookings({}))).rejects.toBeInstanceOf(AuthError);
    expect(fake.refreshCalls).toBe(2);
  });
});

describe('Beds24Client: credits and errors', () => {
  it.each(['spec', 'observed'] as const)('reads the %s credit header spelling', async (style) => {
    const { fake, client } = setup();
    fake.creditHeaders = style;
    fake.creditsRemaining = 42.5;
    await all(client.getBookings({}));
    // token refresh and the GET each cost one credit in the fake
    expect(client.remainingCredits).toBe(40.5);
  });

  it('waits for the credit window to reset when few credits remain', async () => {
    const { fake, client, sleeps } = setup({ maxWaitMs: 180_000 });
    fake.creditsRemaining = 4;
    await all(client.getBookings({})); // answers "2.0 remaining, resets in 120 s"
    expect(sleeps).toEqual([]);
    await all(client.getBookings({}));
    expect(sleeps).toEqual([120_000]);
  });

  it('fails fast (transient, with the wait) when the credit window resets beyond maxWaitMs', async () => {
    const { fake, client, sleeps } = setup({ maxWaitMs: 60_000 });
    fake.creditsRemaining = 3;
    await all(client.getBookings({}));
    const error = await all(client.getBookings({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(120_000);
    expect(sleeps).toEqual([]);
  });

  it('retries a GET after 429 honouring Retry-After', async () => {
    const { fake, client, sleeps } = setup();
    fake.fail('GET', '/bookings', 429, { headers: { 'Retry-After': '7' } });
    await all(client.getBookings({}));
    expect(sleeps).toEqual([7_000]);
    expect(fake.requestsTo('GET', '/bookings')).toHaveLength(2);
  });

  it('gives up on 429 with a transient error carrying the credit reset when it is too long to wait', async () => {
    const { fake, client } = setup({ maxWaitMs: 10_000 });
    fake.fail('GET', '/bookings', 429, { headers: { 'x-five-min-limit-resets-in': '250' } });
    const error = await all(client.getBookings({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(250_000);
  });

  it('retries 5xx on GET with backoff, then raises TransientError', async () => {
    const { fake, client, sleeps } = setup({ getRetries: 2 });
    for (let i = 0; i < 3; i++) fake.fail('GET', '/bookings', 503);
    const error = await all(client.getBookings({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('never retries a POST', async () => {
    const { fake, client } = setup();
    fake.seed([booking(1)]);
    fake.fail('POST', '/bookings', 502);
    await expect(
      client.postBookings([{ id: 1, infoItems: [{ code: 'X', text: 'y' }] }]),
    ).rejects.toBeInstanceOf(TransientError);
    expect(fake.requestsTo('POST', '/bookings')).toHaveLength(1);
  });

  it('maps 400 and success:false to PermanentError with Beds24’s message', async () => {
    const { fake, client } = setup();
    fake.fail('GET', '/bookings', 400, {
      body: { success: false, type: 'error', code: 400, error: 'Invalid arrivalTo' },
    });
    const error = await all(client.getBookings({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      code: 400,
      message: 'Beds24 GET /bookings failed with HTTP 400: Invalid arrivalTo',
    });
    fake.fail('GET', '/bookings', 200, {
      body: { success: false, type: 'error', code: 400, error: 'Bad filter' },
    });
    await expect(all(client.getBookings({}))).rejects.toThrow(/Bad filter/);
  });

  it('maps network failures to TransientError', async () => {
    const { fake, client } = setup({ getRetries: 0 });
    await all(client.getBookings({})); // token cached
    server.use(http.get(`${fake.baseUrl}/bookings`, () => HttpResponse.error()));
    await expect(all(client.getBookings({}))).rejects.toThrow(/network error/);
  });
});
