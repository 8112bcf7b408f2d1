import { readFileSync } from 'node:fs';
import { AuthError, ValidationError, type WebhookRequest } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { mewsWebhookEnterpriseId, parseMewsWebhook, tokenMatches } from '../src/index.js';
import { newFake, providerFor, WEBHOOK_TOKEN } from './support/setup.js';

const official = readFileSync(new URL('./fixtures/official/webhook-general.json', import.meta.url), 'utf8');
const integration = readFileSync(
  new URL('./fixtures/official/webhook-integration.json', import.meta.url),
  'utf8',
);
const ENTERPRISE = '851df8c8-90f2-4c4a-8e01-a4fc46b25178';

function request(
  body: string,
  query: Record<string, string | undefined> = { Token: WEBHOOK_TOKEN },
): WebhookRequest {
  return { propertyId: 'P1', method: 'POST', query, headers: {}, body };
}

const provider = providerFor(newFake(), { enterpriseId: ENTERPRISE });
const parse = (r: WebhookRequest) => provider.parseWebhook!(r);

describe('parseWebhook (MEWS General Webhooks)', () => {
  it('reads the official envelope: service orders to re-fetch, units to re-sync, the rest ignored', () => {
    expect(parse(request(official))).toEqual([
      { type: 'bookings.changed', bookingIds: ['bfee2c44-1f84-4326-a862-5289598f6e2d'] },
      { type: 'units.changed' },
      { type: 'ignored', name: 'MessageAdded' },
      { type: 'ignored', name: 'CustomerAdded' },
      { type: 'ignored', name: 'CustomerUpdated' },
      { type: 'ignored', name: 'PaymentUpdated' },
    ]);
  });

  it('de-duplicates ids and events within one batch', () => {
    const body = JSON.stringify({
      EnterpriseId: ENTERPRISE,
      IntegrationId: 'i',
      Events: [
        { Discriminator: 'ServiceOrderUpdated', Value: { Id: 'a' } },
        { Discriminator: 'ServiceOrderUpdated', Value: { Id: 'b' } },
        { Discriminator: 'ServiceOrderUpdated', Value: { Id: 'a' } },
        { Discriminator: 'ResourceUpdated', Value: { Id: 'r1' } },
        { Discriminator: 'ResourceUpdated', Value: { Id: 'r2' } },
        { Discriminator: 'CustomerAdded', Value: { Id: 'c' } },
        { Discriminator: 'CustomerAdded', Value: { Id: 'd' } },
      ],
    });
    expect(parse(request(body))).toEqual([
      { type: 'bookings.changed', bookingIds: ['a', 'b'] },
      { type: 'units.changed' },
      { type: 'ignored', name: 'CustomerAdded' },
    ]);
  });

  it('an unknown event is acknowledged as ignored', () => {
    const body = JSON.stringify({
      EnterpriseId: ENTERPRISE,
      IntegrationId: 'i',
      Events: [{ Discriminator: 'SomethingNew', Value: { Whatever: 1 } }],
    });
    expect(parse(request(body))).toEqual([{ type: 'ignored', name: 'SomethingNew' }]);
  });

  it('an empty batch yields no events', () => {
    expect(
      parse(request(JSON.stringify({ EnterpriseId: ENTERPRISE, IntegrationId: 'i', Events: [] }))),
    ).toEqual([]);
  });

  it('a wrong or missing Token is an AuthError (checked before the body is read)', () => {
    expect(() => parse(request(official, { Token: 'nope' }))).toThrow(AuthError);
    expect(() => parse(request(official, { Token: `${WEBHOOK_TOKEN}x` }))).toThrow(AuthError);
    expect(() => parse(request(official, {}))).toThrow(AuthError);
    expect(() => parse(request('not json', { Token: '' }))).toThrow(AuthError);
    try {
      parse(request(official, { Token: 'nope' }));
    } catch (error) {
      expect((error as Error).message).not.toContain(WEBHOOK_TOKEN);
      expect((error as Error).message).not.toContain('nope');
    }
  });

  it('accepts the parameter whatever case the framework kept', () => {
    expect(parse(request(official, { token: WEBHOOK_TOKEN })).length).toBeGreaterThan(0);
  });

  it('malformed JSON → ValidationError on body', () => {
    const error = (() => {
      try {
        parse(request('{"EnterpriseId": '));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ path: 'body', message: 'body: malformed JSON' });
  });

  it('a wrong envelope names the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ EnterpriseId: ENTERPRISE, IntegrationId: 'i' }, 'body.Events'],
      [{ IntegrationId: 'i', Events: [] }, 'body.EnterpriseId'],
      [
        { EnterpriseId: ENTERPRISE, IntegrationId: 'i', Events: [{ Value: { Id: 'x' } }] },
        'body.Events.0.Discriminator',
      ],
      [
        {
          EnterpriseId: ENTERPRISE,
          IntegrationId: 'i',
          Events: [{ Discriminator: 'ServiceOrderUpdated', Value: {} }],
        },
        'body.Events.0.Value.Id',
      ],
      [[1, 2], 'body'],
    ];
    for (const [body, path] of cases) {
      let error: unknown;
      try {
        parse(request(JSON.stringify(body)));
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe(path);
    }
  });

  it('refuses a batch of another enterprise', () => {
    const other = official.replace(ENTERPRISE, '00000000-0000-0000-0000-000000000000');
    expect(() => parse(request(other))).toThrow(/EnterpriseId/);
  });

  it('refuses other methods', () => {
    expect(() => parse({ ...request(official), method: 'GET' })).toThrow(ValidationError);
  });

  it('acknowledges the official Integration Webhook as ignored (it carries live tokens, never re-read)', () => {
    expect(parse(request(integration))).toEqual([{ type: 'ignored', name: 'IntegrationCreated' }]);
  });

  it('routes by EnterpriseId before choosing a property', () => {
    expect(mewsWebhookEnterpriseId(official)).toBe(ENTERPRISE);
    expect(mewsWebhookEnterpriseId('nope')).toBeNull();
    expect(mewsWebhookEnterpriseId('{}')).toBeNull();
  });

  it('works without a provider, and compares in constant time over digests', () => {
    expect(parseMewsWebhook(request(official, { Token: 's3cret' }), { webhookToken: 's3cret' })).toHaveLength(
      6,
    );
    expect(tokenMatches('a', 'a')).toBe(true);
    expect(tokenMatches('a', 'ab')).toBe(false);
    expect(tokenMatches(undefined, 'a')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});
