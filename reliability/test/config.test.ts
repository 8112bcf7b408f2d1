import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBrafa } from './support/brafa-child.js';
import { brafaInProcess } from './support/cli-in-process.js';
import { tempDir } from './support/world.js';

/**
 * Issue 9 §3 (config): a broken config file stops `brafa` before it touches anything, with
 * exit code 1 and one message that names the key — and never echoes a secret it was given.
 */
const tmp = tempDir('brafa-config-');
afterAll(() => tmp.cleanup());

const SECRET = 'valid-passcode-secret-0042';
const CLIENT_SECRET = 'sciener-client-secret-9f8e7d';
interface RawConfig {
  database: string;
  secret: string;
  sciener: Record<string, string>;
  worker?: unknown;
  properties: Array<Record<string, unknown> & { mews?: Record<string, unknown> }>;
}

function base(): RawConfig {
  return {
    database: `sqlite:${join(tmp.dir, 'never-created.db')}`,
    secret: SECRET,
    sciener: {
      baseUrl: 'http://127.0.0.1:9',
      clientId: 'cid',
      clientSecret: CLIENT_SECRET,
      username: 'u',
      password: 'p',
    },
    properties: [
      {
        id: 'P1',
        provider: 'mews',
        timezone: 'Europe/Prague',
        mews: { baseUrl: 'http://127.0.0.1:9/mews', clientToken: 'ct-123456', accessToken: 'at-123456' },
        units: [{ roomId: 'Double', unitName: '101', resourceId: 'r-101' }],
        locks: [{ lockId: '1001', roomId: 'Double', unitName: '101' }],
      },
    ],
  };
}

const cases: Array<{ name: string; edit: (c: RawConfig) => void; key: RegExp }> = [
  {
    name: 'missing required key',
    edit: (c) => void delete c.sciener.clientSecret,
    key: /sciener\.clientSecret/,
  },
  {
    name: 'wrong type',
    edit: (c) => {
      c.worker = { concurrency: 'many' };
    },
    key: /worker\.concurrency/,
  },
  {
    name: 'unknown key (a typo)',
    edit: (c) => {
      c.properties[0]!.mews!.acessToken = 'x';
    },
    key: /properties\.0\.mews.*acessToken/,
  },
  {
    name: 'bad time of day',
    edit: (c) => {
      c.properties[0]!.checkInTime = '25:00';
    },
    key: /properties\.0\.checkInTime: expected HH:mm/,
  },
  {
    name: 'provider block missing',
    edit: (c) => void delete c.properties[0]!.mews,
    key: /properties\.0\.mews/,
  },
  {
    name: 'unknown provider',
    edit: (c) => {
      c.properties[0]!.provider = 'opera';
    },
    key: /properties\.0\.provider/,
  },
  {
    name: 'duplicate property id',
    edit: (c) => void c.properties.push({ ...c.properties[0]! }),
    key: /duplicate property id P1/,
  },
  {
    name: 'no properties',
    edit: (c) => {
      c.properties = [];
    },
    key: /properties: at least one property/,
  },
  {
    name: 'lock without unit or scope',
    edit: (c) => {
      c.properties[0]!.locks = [{ lockId: '1' }];
    },
    key: /properties\.0\.locks\.0/,
  },
  {
    name: 'secret too short (and not echoed)',
    edit: (c) => {
      c.secret = 'short7!';
    },
    key: /secret: must be at least 8 characters/,
  },
  {
    name: 'environment variable not set',
    edit: (c) => {
      c.sciener.password = '${BRAFA_TEST_UNSET_VARIABLE}';
    },
    key: /sciener\.password: environment variable BRAFA_TEST_UNSET_VARIABLE is not set/,
  },
];

describe('a broken config file', () => {
  it.each(cases)('$name → exit 1, the message names the key', async ({ edit, key }) => {
    const config = base();
    edit(config);
    const file = join(tmp.dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const run = await brafaInProcess(['--config', file, 'status']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(key);
    expect(run.stdout).toBe('');
    for (const secret of [SECRET, CLIENT_SECRET, 'short7!']) expect(run.stderr).not.toContain(secret);
  });

  it('that is not JSON → exit 1 naming the file', async () => {
    const file = join(tmp.dir, 'not-json.json');
    writeFileSync(file, '{ "database": "sqlite:x", ');
    const run = await brafaInProcess(['--config', file, 'run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not-json\.json: not valid JSON/);
  });

  it('stops the real process with exit code 1 too', async () => {
    const config = base();
    config.sciener.clientSecret = '';
    const file = join(tmp.dir, 'process.json');
    writeFileSync(file, JSON.stringify(config));
    const run = await runBrafa(file, ['run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sciener\.clientSecret: must not be empty/);
  });
});
