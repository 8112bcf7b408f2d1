import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { makeSandbox, type Obj } from './helpers.js';

const B24 = 'https://beds24.com/api/v2';

function setup(options: Parameters<typeof makeSandbox>[1] = {}) {
  return makeSandbox(
    {
      properties: [
        {
          id: 'B1',
          provider: 'beds24',
          units: 10,
          reservations: [
            { unit: '101', arrival: '2026-02-20', departure: '2026-02-25' }, // past
            { unit: '101', arrival: '2026-03-01', departure: '2026-03-04' }, // in house today
            { unit: '102', arrival: '2026-03-05', departure: '2026-03-08', state: 'Canceled' },
            { unit: '103', arrival: '2026-03-10', departure: '2026-03-12', guest: 'Jane Doe' },
          ],
        },
      ],
    },
    options,
  );
}

async function call<T = Obj>(
  sandbox: Sandbox,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await sandbox.router('beds24')(
    new Request(`${B24}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, headers: response.headers, json: (await response.json()) as T };
}

async function token(sandbox: Sandbox): Promise<string> {
  const refreshToken = sandbox.credentials().beds24.B1?.refreshToken ?? '';
  const res = await call<{ token: string; expiresIn: number }>(sandbox, 'GET', '/authentication/token', {
    refreshToken,
  });
  expect(res.status).toBe(200);
  expect(res.json.expiresIn).toBe(86_400);
  return res.json.token;
}

type Bookings = {
  success: boolean;
  count: number;
  pages: { nextPageExists: boolean };
  data: Array<
    Obj & { id: number; status: string; infoItems?: Array<{ id: number; code: string; text: string }> }
  >;
};

describe('Beds24 authentication', () => {
  it('exchanges the refresh token for a token, refuses a bad refresh token (400) and a missing or expired token (401)', async () => {
    const { sandbox, clock } = setup();
    const bad = await call(sandbox, 'GET', '/authentication/token', { refreshToken: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ success: false, type: 'error', code: 400, error: expect.any(String) });
    expect((await call(sandbox, 'GET', '/bookings', {})).status).toBe(401);
    const t = await token(sandbox);
    expect((await call(sandbox, 'GET', '/bookings', { token: t })).status).toBe(200);
    clock.advance(86_400_000);
    expect((await call(sandbox, 'GET', '/bookings', { token: t })).status).toBe(401);
  });

  it('turns an invite code into tokens via /authentication/setup', async () => {
    const { sandbox } = setup();
    const code = sandbox.credentials().beds24.B1?.inviteCode ?? '';
    const res = await call<Obj>(sandbox, 'GET', '/authentication/setup', { code });
    expect(res.json).toMatchObject({
      token: expect.any(String),
      refreshToken: sandbox.credentials().beds24.B1?.refreshToken,
    });
  });
});

describe('Beds24 GET /bookings', () => {
  it('returns only upcoming, non-cancelled bookings by default', async () => {
    const { sandbox } = setup();
    const res = await call<Bookings>(sandbox, 'GET', '/bookings', { token: await token(sandbox) });
    expect(res.json.data.map((b) => b.status)).toEqual(['confirmed', 'confirmed']);
    expect(res.json.data.map((b) => b.arrival)).toEqual(['2026-03-01', '2026-03-10']);
  });

  it('includes cancelled bookings only when status lists them (repeated parameters)', async () => {
    const { sandbox } = setup();
    const t = await token(sandbox);
    const res = await call<Bookings>(
      sandbox,
      'GET',
      '/bookings?arrivalFrom=2026-01-01&status=confirmed&status=cancelled',
      { token: t },
    );
    expect(res.json.data.map((b) => b.status).sort()).toEqual([
      'cancelled',
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
  });

  it('rejects a CSV list for an array parameter with 400', async () => {
    const { sandbox } = setup();
    const ids = sandbox.scenario.reservations('B1').map((r) => r.id);
    const res = await call<Obj>(sandbox, 'GET', `/bookings?id=${ids[0]},${ids[1]}`, {
      token: await token(sandbox),
    });
    expect(res.status).toBe(400);
    expect(res.json.success).toBe(false);
    const ok = await call<Bookings>(sandbox, 'GET', `/bookings?id=${ids[0]}&id=${ids[1]}`, {
      token: await token(sandbox),
    });
    expect(ok.json.data.map((b) => String(b.id))).toEqual([ids[0], ids[1]]);
  });

  it('pages with page=N and pages.nextPageExists', async () => {
    const { sandbox } = makeSandbox(
      {
        properties: [
          { id: 'B1', provider: 'beds24', units: 10, reservations: { count: 30, cancelledRatio: 0 } },
        ],
      },
      { beds24: { pageSize: 10 } },
    );
    const t = await token(sandbox);
    const seen: number[] = [];
    for (let page = 1; page < 10; page++) {
      const res = await call<Bookings>(sandbox, 'GET', `/bookings?arrivalFrom=2026-01-01&page=${page}`, {
        token: t,
      });
      seen.push(...res.json.data.map((b) => b.id));
      if (!res.json.pages.nextPageExists) break;
      expect(res.json.count).toBe(10);
    }
    expect(new Set(seen).size).toBe(sandbox.scenario.reservations('B1').length);
  });

  it('omits guest names without the bookings-personal scope', async () => {
    const { sandbox } = setup();
    const t = await token(sandbox);
    const withScope = await call<Bookings>(sandbox, 'GET', '/bookings?arrival=2026-03-10', { token: t });
    expect(withScope.json.data[0]).toMatchObject({ firstName: 'Jane', lastName: 'Doe' });
    const account = sandbox.scenario.world.beds24.accounts[0];
    if (account) account.scopes = account.scopes.filter((s) => s !== 'read:bookings-personal');
    const without = await call<Bookings>(sandbox, 'GET', '/bookings?arrival=2026-03-10', { token: t });
    expect(without.json.data[0]).not.toHaveProperty('lastName');
  });
});

describe('Beds24 POST /bookings info items', () => {
  it('adds without id (every time), modifies and deletes by id, and shows them with includeInfoItems', async () => {
    const { sandbox } = setup();
    const t = await token(sandbox);
    const id = Number(sandbox.scenario.reservations('B1')[3]?.id);
    const add = await call<Array<Obj>>(sandbox, 'POST', '/bookings', { token: t }, [
      { id, infoItems: [{ code: 'DOOR_CODE', text: '482913' }] },
    ]);
    expect(add.status).toBe(201);
    expect(add.json[0]?.success).toBe(true);
    // A blind retry duplicates the item: there is no upsert by code (beds24.md §5.1).
    await call(sandbox, 'POST', '/bookings', { token: t }, [
      { id, infoItems: [{ code: 'DOOR_CODE', text: '482913' }] },
    ]);
    const items = sandbox.inspect.beds24InfoItems({ bookingId: id, code: 'DOOR_CODE' });
    expect(items).toHaveLength(2);
    const [keep, extra] = items;
    await call(sandbox, 'POST', '/bookings', { token: t }, [
      { id, infoItems: [{ id: keep?.id, text: '551739' }, { id: extra?.id }] },
    ]);
    expect(sandbox.inspect.beds24InfoItems({ bookingId: id })).toEqual([
      expect.objectContaining({ id: keep?.id, code: 'DOOR_CODE', text: '551739' }),
    ]);
    const read = await call<Bookings>(sandbox, 'GET', `/bookings?id=${id}&includeInfoItems=true`, {
      token: t,
    });
    expect(read.json.data[0]?.infoItems).toEqual([
      expect.objectContaining({ id: keep?.id, code: 'DOOR_CODE', text: '551739' }),
    ]);
  });

  it('reports per-item errors and still applies the valid part', async () => {
    const { sandbox } = setup();
    const t = await token(sandbox);
    const id = Number(sandbox.scenario.reservations('B1')[3]?.id);
    const res = await call<Array<Obj & { errors?: unknown[] }>>(sandbox, 'POST', '/bookings', { token: t }, [
      {
        id,
        infoItems: [
          { code: 'DOOR_CODE', text: '1' },
          { id: 999, text: 'x' },
        ],
      },
      { id: 1, infoItems: [] },
    ]);
    expect(res.status).toBe(201);
    expect(res.json[0]).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ field: 'infoItems.id' })],
    });
    expect(res.json[1]).toMatchObject({ success: false });
    expect(sandbox.inspect.beds24InfoItems({ bookingId: id })).toHaveLength(1);
  });
});

describe('Beds24 credits', () => {
  it('sends credit headers and answers 429 when the 5-minute budget is spent', async () => {
    const { sandbox, clock } = setup({ beds24: { credits: { limit: 5, headers: 'both' } } });
    const t = await token(sandbox);
    const first = await call(sandbox, 'GET', '/bookings', { token: t });
    expect(first.headers.get('x-five-min-limit-remaining')).toBe('3');
    expect(first.headers.get('X-FiveMinCreditLimit-Remaining')).toBe('3');
    expect(first.headers.get('x-request-cost')).toBe('1');
    for (let i = 0; i < 3; i++)
      expect((await call(sandbox, 'GET', '/bookings', { token: t })).status).toBe(200);
    const limited = await call(sandbox, 'GET', '/bookings', { token: t });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-five-min-limit-resets-in')).toBe('300');
    clock.advance(300_001);
    expect((await call(sandbox, 'GET', '/bookings', { token: t })).status).toBe(200);
  });
});
