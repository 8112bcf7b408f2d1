import { AuthError, PermanentError, TransientError, ValidationError } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { MewsClient } from '../src/index.js';
import type { MewsFake } from './support/mews-fake.js';
import { newFake, useMsw } from './support/setup.js';

const server = useMsw();

function setup(extra: Partial<ConstructorParameters<typeof MewsClient>[0]> = {}) {
  const fake = newFake();
  server.use(...fake.handlers());
  const sleeps: number[] = [];
  const client = new MewsClient({
    baseUrl: fake.baseUrl,
    clientToken: fake.clientToken,
    accessToken: fake.accessToken,
    client: 'Brafa Test 1.0.0',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { fake, client, sleeps };
}

const SERVICES = 'services/getAll';

function noSecrets(fake: MewsFake, error: unknown) {
  const text = `${(error as Error).message} ${String((error as Error).cause ?? '')}`;
  expect(text).not.toContain(fake.accessToken);
  expect(text).not.toContain(fake.clientToken);
}

describe('retries and typed errors', () => {
  it('429 with Retry-After waits exactly that long, then succeeds', async () => {
    const { fake, client, sleeps } = setup();
    fake.failNext(SERVICES, {
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { Message: 'Too many requests' },
    });
    await expect(client.services()).resolves.toEqual([]);
    expect(sleeps).toEqual([7000]);
    expect(fake.calls(SERVICES)).toHaveLength(2);
  });

  it('429 without Retry-After falls back to exponential backoff', async () => {
    const { fake, client, sleeps } = setup();
    fake.failNext(SERVICES, { status: 429 }, 3);
    await client.services();
    // base 500 ms doubling, jitter factor 0.75 with random() = 0.5
    expect(sleeps).toEqual([375, 750, 1500]);
  });

  it('a Retry-After beyond the cap fails fast, carrying the wait for the scheduler', async () => {
    const { fake, client, sleeps } = setup({ retry: { retryAfterCapMs: 60_000 } });
    fake.failNext(SERVICES, {
      status: 429,
      headers: { 'Retry-After': '3600' },
      body: { Message: 'Slow down' },
    });
    const error = await client.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(3_600_000);
    expect((error as TransientError).message).toContain('Slow down');
    expect(sleeps).toEqual([]);
  });

  it('500 then success', async () => {
    const { fake, client, sleeps } = setup();
    fake.failNext(SERVICES, { status: 500, body: { Message: 'Oops', RequestId: 'r-500' } });
    await expect(client.services()).resolves.toEqual([]);
    expect(sleeps).toHaveLength(1);
  });

  it('408 and network errors are retried too', async () => {
    let n = 0;
    const { client } = setup({
      fetch: async () => {
        n++;
        if (n === 1) throw new TypeError('fetch failed');
        if (n === 2) return new Response('', { status: 408 });
        return Response.json({ Services: [], Cursor: null });
      },
    });
    await expect(client.services()).resolves.toEqual([]);
    expect(n).toBe(3);
  });

  it('gives up after maxRetries with a TransientError keeping MEWS Message and RequestId', async () => {
    const { fake, client, sleeps } = setup({ retry: { maxRetries: 2 } });
    fake.failNext(SERVICES, { status: 503, body: { Message: 'Maintenance', RequestId: 'r-503' } }, 5);
    const error = await client.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 503, requestId: 'r-503' });
    expect((error as Error).message).toBe('MEWS services/getAll failed with HTTP 503: Maintenance');
    expect(sleeps).toHaveLength(2);
    expect(fake.calls(SERVICES)).toHaveLength(3);
  });

  it('401 → AuthError with MEWS message, not retried', async () => {
    const { fake } = setup();
    const wrong = new MewsClient({
      baseUrl: fake.baseUrl,
      clientToken: fake.clientToken,
      accessToken: 'WRONG-ACCESS-TOKEN-XYZ',
      client: 'Brafa Test 1.0.0',
    });
    const error = await wrong.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('Invalid ClientToken or AccessToken.');
    expect((error as AuthError).requestId).toBe('req-auth');
    expect((error as Error).message).not.toContain('WRONG-ACCESS-TOKEN-XYZ');
    expect(fake.calls(SERVICES)).toHaveLength(1);
  });

  it('403 is a business-rule refusal: PermanentError with the message for the property', async () => {
    const { fake, client } = setup();
    fake.failNext(SERVICES, { status: 403, body: { Message: 'Reservation is already checked out.' } });
    const error = await client.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('Reservation is already checked out.');
    expect(fake.calls(SERVICES)).toHaveLength(1);
  });

  it('400 is permanent and takes the Request-Id header when the body has none', async () => {
    const { fake, client } = setup();
    fake.failNext(SERVICES, {
      status: 400,
      body: { Message: 'Invalid ServiceIds.' },
      headers: { 'Request-Id': 'hdr-1' },
    });
    const error = await client.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 400, requestId: 'hdr-1' });
  });

  it('an error body that echoes the tokens is redacted', async () => {
    const { fake, client } = setup();
    fake.failNext(SERVICES, {
      status: 400,
      body: { Message: `Bad token ${fake.accessToken} for ${fake.clientToken}` },
    });
    const error = await client.services().catch((e: unknown) => e);
    noSecrets(fake, error);
    expect((error as Error).message).toContain('[redacted]');
  });

  it('add is not re-sent after a 5xx (no idempotency key): the caller re-reads instead', async () => {
    const { fake, client, sleeps } = setup();
    fake.addReservation({ Id: 'R1', ServiceId: 'S1' });
    fake.failNext('resourceAccessTokens/add', { status: 500, afterApply: true });
    const add = client.addResourceAccessTokens([
      {
        ServiceOrderId: 'R1',
        ResourceId: null,
        Type: 'PinCode',
        Value: '583920',
        ValidityStartUtc: '2026-05-01T13:00:00Z',
        ValidityEndUtc: '2026-05-03T09:00:00Z',
        Permissions: {},
      },
    ]);
    await expect(add).rejects.toBeInstanceOf(TransientError);
    expect(fake.calls('resourceAccessTokens/add')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('add is retried after 429 (refused before processing)', async () => {
    const { fake, client } = setup();
    fake.addReservation({ Id: 'R1', ServiceId: 'S1' });
    fake.failNext('resourceAccessTokens/add', { status: 429, headers: { 'Retry-After': '1' } });
    await client.addResourceAccessTokens([
      {
        ServiceOrderId: 'R1',
        ResourceId: null,
        Type: 'PinCode',
        Value: '583920',
        ValidityStartUtc: '2026-05-01T13:00:00Z',
        ValidityEndUtc: '2026-05-03T09:00:00Z',
        Permissions: {},
      },
    ]);
    expect(fake.calls('resourceAccessTokens/add')).toHaveLength(2);
    expect(fake.activeTokens('R1')).toHaveLength(1);
  });

  it('a response that breaks the schema names the field', async () => {
    const { client } = setup({
      fetch: async () => Response.json({ Services: [{ Id: 'S1', IsActive: 'yes' }], Cursor: null }),
    });
    const error = await client.services().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('MEWS services/getAll response.Services.0.IsActive');
  });

  it('a non-JSON success body is a ValidationError, not a crash', async () => {
    const { client } = setup({ fetch: async () => new Response('<html>gateway</html>', { status: 200 }) });
    await expect(client.services()).rejects.toThrow(/is not JSON/);
  });

  it('unknown fields are accepted', async () => {
    const { client } = setup({
      fetch: async () =>
        Response.json({
          Services: [{ Id: 'S1', IsActive: true, Brand: { New: 1 } }],
          Cursor: null,
          Extra: true,
        }),
    });
    expect((await client.services())[0]).toMatchObject({ Id: 'S1', Brand: { New: 1 } });
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const now = new Date('2026-04-01T10:00:00Z');
    const { fake, client, sleeps } = setup({ clock: { now: () => now } });
    fake.failNext(SERVICES, { status: 429, headers: { 'Retry-After': 'Wed, 01 Apr 2026 10:00:05 GMT' } });
    await client.services();
    expect(sleeps).toEqual([5000]);
  });

  it('requires the auth fields and base URL', () => {
    expect(() => new MewsClient({ baseUrl: '', clientToken: 'a', accessToken: 'b', client: 'c' })).toThrow(
      ValidationError,
    );
    expect(
      () => new MewsClient({ baseUrl: 'http://x', clientToken: 'a', accessToken: '', client: 'c' }),
    ).toThrow(/accessToken/);
  });
});
