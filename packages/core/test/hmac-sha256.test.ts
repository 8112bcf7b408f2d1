import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../src/passcode/hmac-sha256.js';

const hex = (words: Uint32Array) => [...words].map((w) => w.toString(16).padStart(8, '0')).join('');
const nodeHmac = (key: string, message: string) => createHmac('sha256', key).update(message).digest('hex');

describe('HmacSha256', () => {
  it('equals node:crypto on random keys and messages (short, multi-block, non-ASCII)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 150 }),
        fc.string({ unit: 'binary', maxLength: 400 }),
        (key, message) => {
          expect(hex(new HmacSha256(key).digestWords(message))).toBe(nodeHmac(key, message));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('equals node:crypto at every message length around the block and padding edges', () => {
    const hmac = new HmacSha256('edge-secret');
    for (let length = 0; length <= 200; length++) {
      const message = 'm'.repeat(length);
      expect(hex(hmac.digestWords(message)), `length ${length}`).toBe(nodeHmac('edge-secret', message));
    }
    // Lone surrogates (valid in a JSON string) encode as U+FFFD in both.
    for (const message of ['a\uD800b', '\uDC00', 'x\uDBFF\uDBFFy'])
      expect(hex(hmac.digestWords(message)), JSON.stringify(message)).toBe(nodeHmac('edge-secret', message));
    for (const keyLength of [0, 1, 63, 64, 65, 200]) {
      const key = 'k'.repeat(keyLength);
      expect(hex(new HmacSha256(key).digestWords('msg')), `key length ${keyLength}`).toBe(
        nodeHmac(key, 'msg'),
      );
    }
  });

  it('gives the RFC 4231 test case 2 MAC', () => {
    expect(hex(new HmacSha256('Jefe').digestWords('what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('keeps each key apart when several are used in turn', () => {
    const a = new HmacSha256('key-a');
    const b = new HmacSha256('key-b');
    for (const message of ['one', 'two', 'x'.repeat(100)]) {
      expect(hex(a.digestWords(message))).toBe(nodeHmac('key-a', message));
      expect(hex(b.digestWords(message))).toBe(nodeHmac('key-b', message));
    }
  });
});
