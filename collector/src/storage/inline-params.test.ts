import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlineParams, stringLiteral } from './inline-params';

// A literal that cannot end early: a quote, then only printable ASCII other than ' and \, or \xHH.
const closedLiteral = /^'(?:[\x20-\x26\x28-\x5b\x5d-\x7e]|\\x[0-9a-f]{2})*'$/;

describe('inlineParams', () => {
  it('writes any string as one closed literal whose escapes decode to its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const literal = stringLiteral(value);
        expect(literal).toMatch(closedLiteral);
        const bytes = literal.slice(1, -1).replace(/\\x([0-9a-f]{2})|./gs, (m, hex) => (hex ? String.fromCharCode(Number.parseInt(hex, 16)) : m));
        expect(Buffer.from(bytes, 'latin1')).toEqual(Buffer.from(value, 'utf8'));
      }),
    );
  });

  it('replaces every placeholder, casting all but strings to their declared type', () => {
    const sql = inlineParams('SELECT {s:String}, {id:UUID}, {n:Int64}, {d:Date}, {names:Array(String)}, {days:Array(Date)}, {b:UInt8}', {
      s: "it's",
      id: '00000000-0000-4000-8000-000000000000',
      n: -5,
      d: new Date('2026-12-07T10:00:00Z'),
      names: ['a', "b'"],
      days: [],
      b: true,
    });
    expect(sql).toBe(
      "SELECT 'it\\x27s', _CAST('00000000-0000-4000-8000-000000000000', 'UUID'), _CAST('-5', 'Int64'), _CAST('2026-12-07', 'Date'), " +
        "_CAST(['a', 'b\\x27'], 'Array(String)'), _CAST([], 'Array(Date)'), _CAST('1', 'UInt8')",
    );
  });

  it('does not look into the values it writes (a value that looks like a placeholder stays a value)', () => {
    expect(inlineParams('SELECT {a:String}, {b:String}', { a: '{b:String}', b: 'x' })).toBe("SELECT '{b:String}', 'x'");
  });

  it('refuses what it cannot write exactly: a missing value, a value of the wrong kind, an unknown type', () => {
    expect(() => inlineParams('SELECT {a:String}', {})).toThrow(/a \(String\) has no value/);
    expect(() => inlineParams('SELECT {n:Int64}', { n: 1.5 })).toThrow(/not a Int64/);
    expect(() => inlineParams('SELECT {n:Int64}', { n: Number.NaN })).toThrow(/not a Int64/);
    expect(() => inlineParams('SELECT {n:String}', { n: null })).toThrow(/not a String/);
    expect(() => inlineParams('SELECT {xs:Array(String)}', { xs: 'a' })).toThrow(/expected an array/);
    expect(() => inlineParams('SELECT {m:Map(String, String)}', { m: {} })).toThrow(/not supported inline/);
    expect(() => inlineParams('SELECT {m:Nullable(String)}', { m: 'a' })).toThrow(/not supported inline/);
  });
});
