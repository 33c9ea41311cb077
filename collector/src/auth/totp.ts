import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** TOTP as RFC 6238 defines it, with the parameters every authenticator app supports. */
export const totpParams = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, secretBytes: 20 } as const;

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, unpadded (the form otpauth:// URIs carry). */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The code for one time step (RFC 4226 HOTP over the step counter). */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** totpParams.digits).padStart(totpParams.digits, '0');
}

export const stepAt = (timeMs: number) => Math.floor(timeMs / 1000 / totpParams.periodSeconds);

/**
 * The step a code matches, allowing one step of clock drift either way (RFC 6238 §5.2), or null.
 * Steps at or before `usedStep` are refused, so a code works once.
 */
export function matchTotp(secret: Buffer, code: string, timeMs: number, usedStep = -1): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(timeMs);
  for (const step of [now - 1, now, now + 1]) {
    if (step <= usedStep) continue;
    const expected = Buffer.from(totpCode(secret, step));
    if (timingSafeEqual(expected, Buffer.from(code))) return step;
  }
  return null;
}

export function newTotpSecret(): Buffer {
  return randomBytes(totpParams.secretBytes);
}

/** The otpauth:// URI authenticator apps read (usually from a QR code). */
export function otpauthUri(issuer: string, account: string, secret: Buffer): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: totpParams.algorithm,
    digits: String(totpParams.digits),
    period: String(totpParams.periodSeconds),
  });
  return `otpauth://totp/${label}?${query}`;
}

/** Seals TOTP secrets for storage with AES-256-GCM under a key derived from APP_SECRET. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(appSecret: string) {
    this.#key = createHmac('sha256', appSecret).update('totp-secret-box').digest();
  }

  seal(secret: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
  }

  open(sealed: string): Buffer {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(data!), decipher.final()]);
  }
}
