import { describe, expect, it } from 'vitest';
import bookingsPage from './fixtures/bookings-page.json' with { type: 'json' };
import {
  compile,
  errorsOf,
  requestExample,
  requestSchema,
  resolve,
  responseSchema,
  spec,
  undeclaredKeys,
  withKnownGaps,
  withoutRequired,
} from './support/openapi.js';
import { booking, harness, useMsw } from './support/setup.js';

const server = useMsw();

const publishedGet200 = responseSchema('/bookings', 'get', '200');
const publishedPostBody = requestSchema('/bookings', 'post');
const getBookings200 = withKnownGaps(publishedGet200) as typeof publishedGet200;
const postBookings201 = responseSchema('/bookings', 'post', '201');
const token200 = responseSchema('/authentication/token', 'get', '200');
const error400 = responseSchema('/bookings', 'get', '400');
const postBody = withKnownGaps(publishedPostBody) as typeof publishedPostBody;
// Beds24's own update examples (`modifyInfoItem`, `deleteInfoItem`) carry only `id` and the
// changed fields, although `newBooking` marks roomId/arrival/departure as required: the
// `required` list applies to creations. Updates are validated without it (see the test below).
const updateBody = withoutRequired(postBody) as typeof postBody;

function valid(schema: Record<string, unknown>, value: unknown): string[] {
  const validate = compile(schema);
  return validate(value) ? [] : errorsOf(validate);
}

describe('Beds24 fixtures against the official OpenAPI file', () => {
  it('loads the spec and resolves every $ref of the schemas we use', () => {
    expect(spec.openapi).toBe('3.0.0');
    expect(JSON.stringify([getBookings200, postBookings201, postBody, token200])).not.toContain('$ref');
    expect(() => resolve({ $ref: '#/components/schemas/nope' })).toThrow();
  });

  it('the bookings page fixture is a valid GET /bookings 200 response with only declared fields', () => {
    expect(valid(getBookings200, bookingsPage)).toEqual([]);
    expect(undeclaredKeys(getBookings200, bookingsPage)).toEqual([]);
  });

  it('catches a broken fixture (the validators can fail)', () => {
    const broken = structuredClone(bookingsPage) as { data: Array<Record<string, unknown>>; pages: unknown };
    broken.data[0]!.arrival = '2022-XX_XX';
    broken.data[0]!.status = 'maybe';
    broken.pages = { nextPageLink: 'x' };
    const errors = valid(getBookings200, broken);
    expect(errors.some((e) => e.startsWith('/data/0/arrival format'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/data/0/status enum'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/pages required'))).toBe(true);
    expect(undeclaredKeys(postBody, [{ id: 1, infoItem: [{ code: 'X' }] }])).toEqual(['/0/infoItem']);
  });

  it('the two known gaps are the spec’s own (its examples and real data hit them), and nothing else is patched', () => {
    const modify = requestExample('/bookings', 'post', 'modifyInfoItem');
    expect(undeclaredKeys(publishedPostBody, modify)).toEqual(['/0/infoItems/0/id']);
    expect(undeclaredKeys(postBody, modify)).toEqual([]);
    expect(valid(publishedGet200, bookingsPage)).toEqual([
      '/data/0/masterId type: must be integer',
      '/data/1/masterId type: must be integer',
    ]);
    const diff = JSON.stringify(getBookings200).length - JSON.stringify(publishedGet200).length;
    expect(diff).toBeLessThan(40); // one type widened per masterId occurrence, no more
  });

  it('the spec’s own info-item update examples fail only on `required`, and pass as updates', () => {
    for (const name of ['modifyInfoItem', 'deleteInfoItem', 'newInfoItem']) {
      const example = requestExample('/bookings', 'post', name);
      const strict = compile(postBody);
      expect(strict(example), name).toBe(false);
      expect(new Set((strict.errors ?? []).map((e) => e.keyword))).toEqual(new Set(['required']));
      expect(valid(updateBody, example), name).toEqual([]);
    }
  });

  it('what the adapter sends and what the fake answers match the spec', async () => {
    const responses: Array<{ method: string; path: string; status: number; body: unknown }> = [];
    const { provider, fake } = harness(server, {
      seed: [booking(1), booking(2, { status: 'cancelled' }), booking(3)],
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init);
        const url = new URL(
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        );
        responses.push({
          method: init?.method ?? 'GET',
          path: url.pathname.replace(/^.*\/v2/, ''),
          status: response.status,
          body: await response.clone().json(),
        });
        return response;
      },
    });
    fake.addInfoItem(3, 'BRAFA_KEY', '111111');
    fake.addInfoItem(3, 'BRAFA_KEY', '111111');
    for await (const _ of provider.fetchBookings({
      window: { start: new Date('2026-05-01'), end: new Date('2026-07-01') },
    })) {
      // drain
    }
    await provider.writeBack!([
      { ...baseItem, bookingId: '1', externalIds: {} },
      { ...baseItem, bookingId: '3', externalIds: {}, passcode: '720461' },
      { ...baseItem, bookingId: '2', externalIds: {}, action: 'delete', passcode: null },
    ]);
    await provider.writeBack!([
      { ...baseItem, bookingId: '1', externalIds: {}, action: 'delete', passcode: null },
    ]);

    const posts = fake.requestsTo('POST', '/bookings');
    expect(posts.length).toBe(2);
    for (const post of posts) {
      expect(valid(updateBody, post.body)).toEqual([]);
      expect(undeclaredKeys(postBody, post.body)).toEqual([]);
    }
    // add, modify+delete duplicates, and delete all appear in what was validated
    expect(JSON.stringify(posts.map((p) => p.body))).toContain('"code":"BRAFA_KEY","text":"583920"');
    const schemas: Record<string, Record<string, unknown>> = {
      'GET /bookings 200': getBookings200,
      'POST /bookings 201': postBookings201,
      'GET /authentication/token 200': token200,
    };
    const checked = new Set<string>();
    for (const r of responses) {
      const key = `${r.method} ${r.path} ${r.status}`;
      const schema = schemas[key];
      expect(schema, key).toBeDefined();
      expect(valid(schema!, r.body), key).toEqual([]);
      checked.add(key);
    }
    expect([...checked].sort()).toEqual(Object.keys(schemas).sort());
  });

  it('the fake’s error body is a valid UnsuccessfulApiResponse', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    fake.fail('GET', '/bookings', 400, {
      body: { success: false, type: 'error', code: 400, error: 'Invalid id' },
    });
    await expect(provider.fetchBookingsByIds!(['1'])).rejects.toThrow(/Invalid id/);
    expect(valid(error400, { success: false, type: 'error', code: 400, error: 'Invalid id' })).toEqual([]);
    expect(valid(error400, { success: false })).not.toEqual([]);
  });
});

const baseItem = {
  propertyId: 'P1',
  action: 'upsert' as const,
  passcode: '583920',
  validFrom: new Date('2026-06-01T13:00:00Z'),
  validTo: new Date('2026-06-04T09:00:00Z'),
  resourceId: null,
  roomId: null,
  unitName: null,
  ref: null,
};
