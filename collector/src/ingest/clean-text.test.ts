import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanJson, cleanStrings, cleanText, isCleanText } from './clean-text';
import { cutToStoredLength } from './page-location';

/** Any UTF-16 string at all, lone surrogates included (what JSON.parse can hand us). */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 });

describe('cleanText', () => {
  it('replaces lone surrogates, controls and bidi overrides with U+FFFD, and nothing else', () => {
    expect(cleanText('a\ud800b')).toBe('a\ufffdb');
    expect(cleanText('\udc00x\ud83d')).toBe('\ufffdx\ufffd');
    expect(cleanText('nul\u0000 tab\t nl\n del\u007f c1\u0085')).toBe('nul\ufffd tab\ufffd nl\ufffd del\ufffd c1\ufffd');
    expect(cleanText('abc\u202eevil\u2066')).toBe('abc\ufffdevil\ufffd');
    const untouched = 'Grüße 😀 עברית\u200f 日本語 %E0%A4%A';
    expect(cleanText(untouched)).toBe(untouched);
  });

  it('gives well-formed text free of unsafe characters for any input, and changes only those', () => {
    fc.assert(
      fc.property(anyUtf16, (value) => {
        const cleaned = cleanText(value);
        expect(cleaned.isWellFormed()).toBe(true);
        expect(isCleanText(cleaned)).toBe(true);
        // One character for one character (a pair stays a pair), so lengths match.
        expect(cleaned.length).toBe(value.length);
        if (isCleanText(value)) expect(cleaned).toBe(value);
        expect(cleanText(cleaned)).toBe(cleaned);
      }),
    );
  });
});

describe('cleanJson and cleanStrings', () => {
  it('clean keys and values at every depth, and leave numbers and the input alone', () => {
    const data = { 'k\u0000': ['\ud800', 1, { deep: 'x\u202ey' }], n: 2.5, ok: true, none: null };
    expect(cleanJson(data)).toEqual({ 'k\ufffd': ['\ufffd', 1, { deep: 'x\ufffdy' }], n: 2.5, ok: true, none: null });
    expect(data['k\u0000'][0]).toBe('\ud800');
    expect(cleanStrings({ a: 'x\u0001', b: 3 })).toEqual({ a: 'x\ufffd', b: 3 });
  });

  it('give JSON that is well-formed whatever went in', () => {
    fc.assert(
      fc.property(fc.dictionary(anyUtf16, fc.oneof(anyUtf16, fc.double(), fc.array(anyUtf16, { maxLength: 3 })), { maxKeys: 6 }), (data) => {
        const text = JSON.stringify(cleanJson(data));
        expect(text).not.toMatch(/\\u(d[89a-f]|00[01])/i);
        expect(isCleanText(JSON.stringify(JSON.parse(text)))).toBe(true);
      }),
    );
  });
});

describe('cutToStoredLength', () => {
  it('never cuts a surrogate pair in half', () => {
    const title = 'a'.repeat(499) + '😀 and more';
    expect(cutToStoredLength(title)).toBe('a'.repeat(499));
    expect(cutToStoredLength('b'.repeat(498) + '😀x')).toBe('b'.repeat(498) + '😀');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 400, maxLength: 700 }), (value) => {
        expect(cutToStoredLength(value).isWellFormed()).toBe(true);
      }),
    );
  });
});
