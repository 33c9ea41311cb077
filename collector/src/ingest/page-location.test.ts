import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutToStoredLength, safeDecode, splitLocation } from './page-location';

// A page's and a referrer's location, split and cut as stored, without the engine.

describe('page and referrer locations', () => {
  it('split a URL into path, query, referrer parts and UTM tags', () => {
    const location = splitLocation(
      '/docs/caf%C3%A9?utm_source=news&utm_medium=mail&utm_campaign=fall&x=1',
      'https://www.example.org/post?id=2',
      'shop.example',
    );
    expect(location).toEqual({
      urlPath: '/docs/café',
      urlQuery: 'utm_source=news&utm_medium=mail&utm_campaign=fall&x=1',
      referrerDomain: 'example.org',
      referrerPath: '/post',
      referrerQuery: 'id=2',
      utm: { source: 'news', medium: 'mail', campaign: 'fall', content: '', term: '' },
    });
    // A referrer that is not a web page is dropped; a broken percent-encoding is kept as sent.
    expect(splitLocation('/a%E0%A4%A', 'android-app://com.x', 'x').referrerDomain).toBe('');
    expect(splitLocation('/a%E0%A4%A', '', 'x').urlPath).toBe('/a%E0%A4%A');
  });

  it('never store more than 500 characters, nor half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 700 }), (value) => {
        const cut = cutToStoredLength(value);
        expect(cut.length).toBeLessThanOrEqual(500);
        expect(value.startsWith(cut)).toBe(true);
        expect(cut.isWellFormed()).toBe(value.slice(0, cut.length).isWellFormed());
      }),
    );
    expect(cutToStoredLength('a'.repeat(499) + '😀')).toBe('a'.repeat(499));
  });

  it('decode percent-encoding only when it is valid, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(() => safeDecode(value)).not.toThrow();
      }),
    );
    expect(safeDecode('%ZZ')).toBe('%ZZ');
    expect(safeDecode('%C3%A9')).toBe('é');
  });
});
