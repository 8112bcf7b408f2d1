import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { makeSandbox, type Obj } from './helpers.js';

const TBF = 'https://app.thebookingfactory.com/api/partner';

function setup(count = 5) {
  return makeSandbox({
    properties: [
      { id: 'T1', provider: 'bookingfactory', units: 4, reservations: { count, cancelledRatio: 0 } },
    ],
  });
}

async function call<T = Obj>(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  apiKey?: string,
) {
  const key = apiKey ?? sandbox.credentials().tbf.T1?.apiKey ?? '';
  const response = await sandbox.router('tbf')(
    new Request(`${TBF}${path}`, {
      method,
      headers: { Token: key, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, json: (await response.json()) as T };
}

type Page = {
  data: Array<{ id: string; rooms: Array<{ id: string; room_id: string }> }>;
  meta: { next_page: number | null };
};

describe('TBF partner contract (provider-bookingfactory defaults)', () => {
  it('lists bookings page by page through meta.next_page and rejects a bad Token', async () => {
    const { sandbox } = setup(60);
    const hotel = sandbox.credentials().tbf.T1?.hotelId;
    const seen: string[] = [];
    let page: number | null = 1;
    while (page !== null) {
      const res: { json: Page } = await call<Page>(
        sandbox,
        'GET',
        `/hotels/${hotel}/bookings?date_from=2026-01-01&date_to=2026-12-31&page=${page}`,
      );
      seen.push(...res.json.data.map((b) => b.id));
      page = res.json.meta.next_page;
    }
    expect(seen).toHaveLength(sandbox.scenario.reservations('T1').length);
    const denied = await call<Obj>(
      sandbox,
      'GET',
      `/hotels/${hotel}/bookings?date_from=2026-01-01&date_to=2026-12-31`,
      undefined,
      'bad',
    );
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({ success: false, errors: [expect.any(String)] });
  });

  it('upserts a keycode per (booking, room) with PUT and removes it with DELETE (404 once gone)', async () => {
    const { sandbox } = setup(3);
    const hotel = sandbox.credentials().tbf.T1?.hotelId;
    const list = await call<Page>(
      sandbox,
      'GET',
      `/hotels/${hotel}/bookings?date_from=2026-01-01&date_to=2026-12-31`,
    );
    const booking = list.json.data.find((b) => b.rooms[0]?.room_id);
    const path = `/hotels/${hotel}/bookings/${booking?.id}/rooms/${booking?.rooms[0]?.room_id}/keycode`;
    const body = { keycode: '482913', valid_from: '2026-03-02T14:00:00Z', valid_to: '2026-03-05T10:00:00Z' };
    expect((await call(sandbox, 'PUT', path, body)).status).toBe(200);
    expect((await call(sandbox, 'PUT', path, body)).status).toBe(200);
    expect(sandbox.inspect.tbfKeycodes()).toEqual([
      expect.objectContaining({ reservationId: booking?.id, keycode: '482913' }),
    ]);
    expect((await call(sandbox, 'PUT', path, { ...body, keycode: 'abc' })).status).toBe(422);
    expect((await call(sandbox, 'DELETE', path)).status).toBe(200);
    expect((await call(sandbox, 'DELETE', path)).status).toBe(404);
    expect(sandbox.inspect.tbfKeycodes()).toEqual([]);
  });
});
