import { describe, expect, it } from 'vitest';
import type { FaultRule, Sandbox } from '../src/index.js';
import { common, makeSandbox, mews, mewsAuth, sciener, scienerToken } from './helpers.js';

const period = { startDate: Date.parse('2026-03-02T14:00:00Z'), endDate: Date.parse('2026-03-05T10:00:00Z') };

function setup(faults: FaultRule[] = [], seed = 11) {
  const noSleep = async () => undefined;
  return makeSandbox(
    { seed: 3, properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: 2 }] },
    { faults, seed, sleep: noSleep },
  );
}

async function addCode(sandbox: Sandbox, token: string, passcode: string) {
  return sciener<Record<string, unknown>>(sandbox, 'POST', '/v3/keyboardPwd/add', {
    ...common(sandbox, token),
    lockId: 1001,
    keyboardPwd: passcode,
    keyboardPwdName: 'brafa:test',
    ...period,
    addType: 2,
  });
}

async function run(sandbox: Sandbox, calls: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < calls; i++) {
    const res = await sandbox.router('mews')(
      new Request('https://api.mews-demo.com/api/connector/v1/configuration/get', {
        method: 'POST',
        body: JSON.stringify(mewsAuth(sandbox)),
      }),
    );
    out.push(res.type === 'error' ? 'dropped' : String(res.status));
  }
  return out;
}

describe('fault injection', () => {
  const rules: FaultRule[] = [
    { vendor: 'mews', rates: { rateLimit: 0.2, serverError: 0.2, timeout: 0.1 }, timeoutMs: 1 },
  ];

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await run(setup(rules, 11).sandbox, 60);
    const b = await run(setup(rules, 11).sandbox, 60);
    const c = await run(setup(rules, 12).sandbox, 60);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a)).toEqual(new Set(['200', '429', '503', 'dropped']));
  });

  it('reproduces the same faults after reseed()', async () => {
    const { sandbox } = setup(rules, 5);
    const first = await run(sandbox, 30);
    sandbox.faults.reseed(5);
    expect(await run(sandbox, 30)).toEqual(first);
  });

  it('shapes faults like the vendor: MEWS 429 with Retry-After, Sciener errcodes on HTTP 200', async () => {
    const { sandbox } = setup([
      {
        vendor: 'mews',
        endpoint: 'configuration/get',
        rates: { rateLimit: 1 },
        retryAfterSeconds: 7,
        times: 1,
      },
      {
        vendor: 'sciener',
        endpoint: '/v3/keyboardPwd/add',
        rates: { errcode: 1 },
        errcodes: [-3003],
        times: 1,
      },
      { vendor: 'sciener', endpoint: '/v3/lock/list', rates: { rateLimit: 1 }, times: 1 },
    ]);
    const limited = await mews(sandbox, 'configuration/get', mewsAuth(sandbox));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('7');
    expect((await mews(sandbox, 'configuration/get', mewsAuth(sandbox))).status).toBe(200);
    const token = await scienerToken(sandbox);
    const busy = await addCode(sandbox, token, '482913');
    expect(busy).toEqual({ status: 200, json: expect.objectContaining({ errcode: -3003 }) });
    expect(sandbox.inspect.lockCodes(1001)).toEqual([]);
    const quota = await sciener<Record<string, unknown>>(sandbox, 'GET', '/v3/lock/list', {
      ...common(sandbox, token),
      pageNo: 1,
      pageSize: 10,
    });
    expect(quota.json.errcode).toBe(30006);
    expect((await addCode(sandbox, token, '482913')).json.keyboardPwdId).toEqual(expect.any(Number));
  });

  it('applies a lost response: the code lands on the lock, the client sees a failure, a retry hits -3007', async () => {
    const { sandbox } = setup([
      {
        vendor: 'sciener',
        endpoint: '/v3/keyboardPwd/add',
        rates: { lostResponse: 1 },
        lostAs: 'serverError',
        status: 502,
        times: 1,
      },
    ]);
    const token = await scienerToken(sandbox);
    const lost = await sandbox.router('sciener')(
      new Request('https://euapi.ttlock.com/v3/keyboardPwd/add', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...Object.fromEntries(Object.entries(common(sandbox, token)).map(([k, v]) => [k, String(v)])),
          lockId: '1001',
          keyboardPwd: '482913',
          keyboardPwdName: 'brafa:test',
          startDate: String(period.startDate),
          endDate: String(period.endDate),
          addType: '2',
        }).toString(),
      }),
    );
    expect(lost.status).toBe(502);
    expect(sandbox.inspect.lockCodes(1001)).toEqual([
      expect.objectContaining({ passcode: '482913', onDevice: true }),
    ]);
    expect((await addCode(sandbox, token, '482913')).json.errcode).toBe(-3007);
    const log = sandbox.calls({ vendor: 'sciener', endpoint: '/v3/keyboardPwd/add' });
    expect(log.map((e) => [e.status, e.fault, e.errcode])).toEqual([
      [502, 'lostResponse', null],
      [200, null, -3007],
    ]);
  });

  it('drops the connection for a lost response shaped as a timeout (MEWS token add still applied)', async () => {
    const { sandbox } = setup([
      { vendor: 'mews', endpoint: 'resourceAccessTokens/add', rates: { lostResponse: 1 }, timeoutMs: 5 },
    ]);
    const res = sandbox.scenario.reservations('P1')[0];
    const response = await sandbox.router('mews')(
      new Request('https://api.mews-demo.com/api/connector/v1/resourceAccessTokens/add', {
        method: 'POST',
        body: JSON.stringify({
          ...mewsAuth(sandbox),
          ResourceAccessTokenParameters: [
            {
              ServiceOrderId: res?.id,
              Type: 'PinCode',
              Value: '482913',
              ValidityStartUtc: '2026-03-02T14:00:00Z',
              ValidityEndUtc: '2026-03-05T10:00:00Z',
              Permissions: { Room: { Value: true } },
            },
          ],
        }),
      }),
    );
    expect(response.type).toBe('error');
    expect(sandbox.inspect.mewsTokens()).toHaveLength(1);
    expect(sandbox.calls({ endpoint: 'resourceAccessTokens/add' })[0]).toMatchObject({
      status: 0,
      fault: 'lostResponse',
    });
  });

  it('rejects fault rates that add up to more than 1', () => {
    const { sandbox } = setup();
    expect(() => sandbox.faults.add({ vendor: 'mews', rates: { rateLimit: 0.7, serverError: 0.5 } })).toThrow(
      RangeError,
    );
  });
});

describe('latency and call log', () => {
  it('sleeps the configured latency per vendor/endpoint and records every call', async () => {
    const slept: number[] = [];
    const { sandbox } = makeSandbox(
      { properties: [{ id: 'P1', provider: 'mews', units: 1 }] },
      {
        sleep: async (ms) => {
          slept.push(ms);
        },
        latency: [
          { vendor: 'mews', endpoint: 'configuration/get', ms: 120 },
          { vendor: 'sciener', ms: [2000, 3000] },
        ],
      },
    );
    await mews(sandbox, 'configuration/get', mewsAuth(sandbox));
    await scienerToken(sandbox);
    expect(slept[0]).toBe(120);
    expect(slept[1]).toBeGreaterThanOrEqual(2000);
    expect(slept[1]).toBeLessThanOrEqual(3000);
    expect(sandbox.calls().map((c) => [c.vendor, c.endpoint, c.status, c.latencyMs > 0])).toEqual([
      ['mews', 'configuration/get', 200, true],
      ['sciener', '/oauth2/token', 200, true],
    ]);
    expect(sandbox.callLog.counts()).toEqual({ 'mews configuration/get': 1, 'sciener /oauth2/token': 1 });
  });
});
