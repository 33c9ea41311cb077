import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Small stateless tokens: `base64url(JSON).base64url(HMAC-SHA256, 128 bits)`, keyed per purpose
 * so a token made for one use is never accepted for another.
 */
export class SignedTokens<Claims extends object> {
  readonly #key: Buffer;

  constructor(secret: string, purpose: string) {
    this.#key = createHmac('sha256', secret).update(`signed-token:${purpose}`).digest();
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest().subarray(0, 16);
  }

  sign(claims: Claims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#sign(body).toString('base64url')}`;
  }

  /** The claims of a token we signed, or null for anything else (never throws). */
  read(token: string, maxLength = 1024): Partial<Claims> | null {
    if (token.length > maxLength) return null;
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const body = token.slice(0, dot);
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#sign(body);
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      return claims && typeof claims === 'object' ? claims : null;
    } catch {
      return null;
    }
  }
}
