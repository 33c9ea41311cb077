import fc from 'fast-check';

/**
 * Text a beacon may carry that no stored string may hold as it is: lone surrogates (a CMS cut
 * an emoji in half), NUL and other controls, bidi overrides, broken and hostile percent-encoding.
 */
export const hostileStrings = [
  '\ud800',
  'end\ud83d',
  '\udfffstart',
  'a\u0000b',
  '\u0007\u001b[31mred',
  'tab\tnew\nline\r',
  'del\u007f c1\u0085',
  'abc\u202etxt.exe',
  '\u2066isolate\u2069',
  '%E0%A4%A',
  '%00%0A',
  '%E2%80%AE',
  '%ED%A0%80',
  '%',
  '😀',
];

/** Strings mixing ordinary text with the hostile pieces above and any UTF-16 code unit. */
export const hostileText = (maxLength = 30): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...hostileStrings),
        fc.string({ maxLength: 4 }),
        fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.join('').slice(0, maxLength));
