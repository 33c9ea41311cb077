import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FastHmac, SignedTokens } from './signed-token';

describe('FastHmac', () => {
  it('matches RFC 4231 test case 2 (HMAC-SHA256, key "Jefe")', () => {
    const mac = new FastHmac(Buffer.from('Jefe'));
    expect(mac.digest('what do ya want for nothing?').toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('matches createHmac for random keys and messages, and stays correct when reused', () => {
    for (let i = 0; i < 50; i++) {
      const key = randomBytes(i % 2 ? 32 : 100);
      const mac = new FastHmac(key);
      for (const message of [randomBytes(i), 'a', '']) {
        expect(mac.digest(message)).toEqual(createHmac('sha256', key).update(message).digest());
      }
    }
  });
});

describe('SignedTokens', () => {
  it('reads back what it signed, and nothing forged, altered or signed for another purpose', () => {
    const tokens = new SignedTokens<{ a: number }>('secret-secret-secret-secret-secret', 'one');
    const other = new SignedTokens<{ a: number }>('secret-secret-secret-secret-secret', 'two');
    const token = tokens.sign({ a: 1 });
    expect(tokens.read(token)).toEqual({ a: 1 });
    expect(other.read(token)).toBeNull();
    expect(tokens.read(token.replace(/^./, (c) => (c === 'e' ? 'f' : 'e')))).toBeNull();
    expect(tokens.read('garbage')).toBeNull();
  });

  it('refuses every other spelling of a signature, even one that decodes to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tokens = new SignedTokens<{ n: number }>('secret-secret-secret-secret-secret', 'one');
    for (let n = 0; n < 64; n++) {
      const token = tokens.sign({ n });
      // 16 bytes take 22 characters; the last one carries 2 bits, so flipping its lowest bit
      // leaves the decoded bytes as they were.
      const last = alphabet.indexOf(token.at(-1)!);
      const sameBytes = token.slice(0, -1) + alphabet[last ^ 1];
      expect(Buffer.from(sameBytes.split('.')[1]!, 'base64url')).toEqual(Buffer.from(token.split('.')[1]!, 'base64url'));
      expect(tokens.read(sameBytes)).toBeNull();
      expect(tokens.read(token)).toEqual({ n });
    }
  });
});
