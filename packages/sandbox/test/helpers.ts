import { ManualClock } from '@brafa/core';
import {
  createSandbox,
  createScenario,
  md5Hex,
  type Sandbox,
  type SandboxOptions,
  type ScenarioOptions,
} from '../src/index.js';

export const START = '2026-03-01T10:00:00Z';

export function makeSandbox(
  scenario: Omit<ScenarioOptions, 'clock'> = {},
  options: Omit<SandboxOptions, 'scenario' | 'clock'> = {},
): { sandbox: Sandbox; clock: ManualClock } {
  const clock = new ManualClock(START);
  const sandbox = createSandbox({
    ...options,
    scenario: createScenario({ seed: 7, ...scenario, clock }),
    clock,
  });
  return { sandbox, clock };
}

export const MEWS = 'https://api.mews-demo.com/api/connector/v1';

export function mewsAuth(sandbox: Sandbox, propertyId = 'P1') {
  const creds = sandbox.credentials().mews;
  return {
    ClientToken: creds.clientToken,
    AccessToken: creds.properties[propertyId]?.accessToken ?? 'missing',
    Client: 'Brafa Test 1.0.0',
  };
}

/** Loosely typed JSON for assertions; each test states the shape it expects. */
export type Obj = Record<string, unknown>;

export async function mews<T = Obj>(
  sandbox: Sandbox,
  operation: string,
  body: unknown,
): Promise<{ status: number; json: T; headers: Headers }> {
  const response = await sandbox.router('mews')(
    new Request(`${MEWS}/${operation}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return { status: response.status, json: (await response.json()) as T, headers: response.headers };
}

export const TTLOCK = 'https://euapi.ttlock.com';

export async function scienerToken(sandbox: Sandbox): Promise<string> {
  const c = sandbox.credentials().sciener;
  const res = await sciener<{ access_token: string }>(sandbox, 'POST', '/oauth2/token', {
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    username: c.username,
    password: md5Hex(c.password),
    grant_type: 'password',
  });
  return res.json.access_token;
}

export async function sciener<T = Obj>(
  sandbox: Sandbox,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string | number>,
): Promise<{ status: number; json: T }> {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const request =
    method === 'GET'
      ? new Request(`${TTLOCK}${path}?${search}`)
      : new Request(`${TTLOCK}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: search.toString(),
        });
  const response = await sandbox.router('sciener')(request);
  return { status: response.status, json: (await response.json()) as T };
}

/** Common /v3 params for the sandbox clock. */
export function common(sandbox: Sandbox, accessToken: string) {
  return {
    clientId: sandbox.credentials().sciener.clientId,
    accessToken,
    date: sandbox.clock.now().getTime(),
  };
}
