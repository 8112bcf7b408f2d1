import { ManualClock } from '@brafa/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, createScenario, md5Hex, type RunningSandbox, startSandbox } from '../src/index.js';

const clock = new ManualClock('2026-03-01T10:00:00Z');
const scenario = createScenario({
  seed: 99,
  clock,
  properties: [
    { id: 'P1', provider: 'mews', units: 6, reservations: 12 },
    { id: 'B1', provider: 'beds24', units: 4, reservations: 6 },
    { id: 'T1', provider: 'bookingfactory', units: 3, reservations: 4 },
  ],
});
const sandbox = createSandbox({ scenario, clock });
const msw = setupServer(...sandbox.handlers());
let running: RunningSandbox;

beforeAll(async () => {
  // Unhandled requests (the loopback server) pass through msw untouched.
  msw.listen({ onUnhandledRequest: 'bypass' });
  running = await startSandbox({ sandbox });
});
afterEach(() => sandbox.faults.clear());
afterAll(async () => {
  msw.close();
  await running.close();
});

function mewsBody() {
  const creds = sandbox.credentials().mews;
  return {
    ClientToken: creds.clientToken,
    AccessToken: creds.properties.P1?.accessToken,
    Client: 'Brafa Test 1.0.0',
    States: ['Confirmed', 'Canceled'],
    Limitation: { Count: 100 },
  };
}

async function reservationIds(platformAddress: string): Promise<string[]> {
  const res = await fetch(`${platformAddress}/api/connector/v1/reservations/getAll/2023-06-06`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(mewsBody()),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { Reservations: Array<{ Id: string }> };
  return body.Reservations.map((r) => r.Id).sort();
}

describe('one scenario, two transports', () => {
  it('serves the same MEWS reservations through msw (real host) and through the loopback server', async () => {
    const viaMsw = await reservationIds('https://api.mews-demo.com');
    const viaServer = await reservationIds(running.mewsUrl);
    expect(viaMsw).toHaveLength(scenario.reservations('P1').length);
    expect(viaServer).toEqual(viaMsw);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('sees a Sciener code added through msw when listing it through the server', async () => {
    const c = sandbox.credentials().sciener;
    const form = (params: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    const login = await fetch(
      'https://euapi.ttlock.com/oauth2/token',
      form({
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        username: c.username,
        password: md5Hex(c.password),
      }),
    );
    const { access_token } = (await login.json()) as { access_token: string };
    const base = { clientId: c.clientId, accessToken: access_token, date: String(clock.now().getTime()) };
    const added = await fetch(
      'https://euapi.ttlock.com/v3/keyboardPwd/add',
      form({
        ...base,
        lockId: '1002',
        keyboardPwd: '482913',
        keyboardPwdName: 'brafa:x',
        startDate: String(Date.parse('2026-03-02T14:00:00Z')),
        endDate: String(Date.parse('2026-03-05T10:00:00Z')),
        addType: '2',
      }),
    );
    expect(await added.json()).toEqual({ keyboardPwdId: expect.any(Number) });
    const listed = await fetch(
      `${running.scienerUrl}/v3/lock/listKeyboardPwd?${new URLSearchParams({ ...base, lockId: '1002', pageNo: '1', pageSize: '20', orderBy: '1' })}`,
    );
    const body = (await listed.json()) as { list: Array<{ keyboardPwd: string }> };
    expect(body.list.map((x) => x.keyboardPwd)).toEqual(['482913']);
  });

  it('serves Beds24 and TBF on the loopback server too', async () => {
    const refreshToken = sandbox.credentials().beds24.B1?.refreshToken ?? '';
    const tokenRes = await fetch(`${running.beds24Url}/authentication/token`, { headers: { refreshToken } });
    const { token } = (await tokenRes.json()) as { token: string };
    const bookings = await fetch(
      `${running.beds24Url}/bookings?arrivalFrom=2026-01-01&status=confirmed&status=cancelled`,
      { headers: { token } },
    );
    expect(bookings.headers.get('x-five-min-limit-remaining')).not.toBeNull();
    expect(((await bookings.json()) as { data: unknown[] }).data).toHaveLength(
      scenario.reservations('B1').length,
    );
    const tbf = sandbox.credentials().tbf.T1;
    const list = await fetch(
      `${running.tbfUrl}/hotels/${tbf?.hotelId}/bookings?date_from=2026-01-01&date_to=2026-12-31`,
      {
        headers: { Token: tbf?.apiKey ?? '' },
      },
    );
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(
      scenario.reservations('T1').length,
    );
  });

  it('drops the connection on an injected timeout, so plain fetch rejects', async () => {
    sandbox.faults.set([{ vendor: 'mews', rates: { timeout: 1 }, timeoutMs: 5, times: 1 }]);
    await expect(reservationIds(running.mewsUrl)).rejects.toThrow();
    await expect(reservationIds(running.mewsUrl)).resolves.toHaveLength(scenario.reservations('P1').length);
  });

  it('exposes state, credentials, faults and mutations on /_sandbox for out-of-process tests', async () => {
    const target = scenario.reservations('P1').find((r) => r.state === 'Confirmed');
    const mutate = await fetch(`${running.controlUrl}/mutate`, {
      method: 'POST',
      body: JSON.stringify({ op: 'cancel', reservationId: target?.id }),
    });
    expect(mutate.status).toBe(200);
    const state = (await (await fetch(`${running.controlUrl}/state`)).json()) as {
      reservations: Array<{ id: string; state: string }>;
      locks: Array<{ lockId: number; codes: Array<{ passcode: string; onDevice: boolean }> }>;
    };
    expect(state.reservations.find((r) => r.id === target?.id)?.state).toBe('Canceled');
    expect(state.locks.find((l) => l.lockId === 1002)?.codes).toEqual([
      expect.objectContaining({ passcode: '482913', onDevice: true }),
    ]);
    const faults = await fetch(`${running.controlUrl}/faults`, {
      method: 'POST',
      body: JSON.stringify({ rules: [{ vendor: 'mews', rates: { serverError: 1 }, times: 1 }] }),
    });
    expect(faults.status).toBe(200);
    const failed = await fetch(`${running.mewsUrl}/api/connector/v1/configuration/get`, {
      method: 'POST',
      body: JSON.stringify(mewsBody()),
    });
    expect(failed.status).toBe(503);
    const bad = await fetch(`${running.controlUrl}/faults`, {
      method: 'POST',
      body: JSON.stringify({ rules: [{ vendor: 'nope' }] }),
    });
    expect(bad.status).toBe(400);
    const creds = (await (await fetch(`${running.controlUrl}/credentials`)).json()) as {
      sciener: { clientId: string };
    };
    expect(creds.sciener.clientId).toBe(sandbox.credentials().sciener.clientId);
  });
});

describe('a reply, through either transport', () => {
  const listLocks = (origin: string) =>
    fetch(
      `${origin}/v3/lock/list?${new URLSearchParams({ clientId: 'nope', accessToken: 'nope', date: '1' })}`,
    );

  it('has the same status, headers and body, with the body length on the loopback server', async () => {
    const viaMsw = await listLocks('https://euapi.ttlock.com');
    const viaServer = await listLocks(running.scienerUrl);
    const body = await viaServer.text();
    expect(viaServer.status).toBe(viaMsw.status);
    expect(body).toBe(await viaMsw.text());
    expect(viaServer.headers.get('content-type')).toBe(viaMsw.headers.get('content-type'));
    expect(viaServer.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    // A Sciener failure is HTTP 200 with an errcode, and the call log records the errcode.
    expect(JSON.parse(body)).toMatchObject({ errcode: expect.any(Number) });
    const [a, b] = sandbox.calls({ vendor: 'sciener' }).slice(-2);
    expect(a?.errcode).toBe(JSON.parse(body).errcode);
    expect(b?.errcode).toBe(a?.errcode);
  });

  it("carries a fault's own status, content type and headers", async () => {
    sandbox.faults.set([{ vendor: 'sciener', rates: { serverError: 1 }, status: 502 }]);
    const viaServer = await listLocks(running.scienerUrl);
    expect(viaServer.status).toBe(502);
    expect(viaServer.headers.get('content-type')).toBe('text/html');
    expect(await viaServer.text()).toContain('502 Bad Gateway');
    sandbox.faults.set([{ vendor: 'mews', rates: { rateLimit: 1 }, retryAfterSeconds: 7 }]);
    const limited = await fetch(`${running.mewsUrl}/api/connector/v1/configuration/get`, {
      method: 'POST',
      body: JSON.stringify(mewsBody()),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('request-id')).toMatch(/^0{8}-/);
  });
});

describe('the loopback server, when a client gives up', () => {
  it('ends the simulated wait at once instead of serving a request nobody waits for', async () => {
    sandbox.latency.set([{ vendor: 'mews', ms: 10_000 }]);
    try {
      const before = sandbox.calls({ vendor: 'mews' }).length;
      const gaveUp = fetch(`${running.mewsUrl}/api/connector/v1/reservations/getAll/2023-06-06`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(mewsBody()),
        signal: AbortSignal.timeout(100),
      });
      await expect(gaveUp).rejects.toThrow();
      // The call is logged once its wait ends: within a second, not after the 10 s latency.
      const started = Date.now();
      while (sandbox.calls({ vendor: 'mews' }).length === before && Date.now() - started < 1_000)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(sandbox.calls({ vendor: 'mews' }).length).toBe(before + 1);
    } finally {
      sandbox.latency.set([]);
    }
  });
});
