import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcceptedWebhook } from '@brafa/core';
import { type CliIO, main } from '../src/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `brafa` in-process with captured output (the network calls are real, on loopback). */
export async function brafa(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...process.env, ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * What `brafa serve` writes to its inbox when it acknowledges a MEWS webhook for one
 * reservation (a `sync.bookings` job and the log row): to play a service that stopped
 * before moving it.
 */
export function acknowledgedWebhook(propertyId: string, reservationId: string): AcceptedWebhook {
  return {
    jobs: [
      {
        kind: 'sync.bookings',
        propertyId,
        payload: { bookingIds: [reservationId] },
        dedupeKey: `sync.bookings:${propertyId}:${reservationId}`,
      },
    ],
    log: {
      propertyId,
      provider: 'mews',
      receivedAt: new Date(),
      status: 202,
      payload: '{}',
      events: ['bookings.changed'],
      error: null,
    },
    now: new Date(),
  };
}
