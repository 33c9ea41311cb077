import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, pageOf, sortRows, toCsv } from './details-list';

/** A CSV parser for the test (RFC 4180, quoted fields). */
function parseCsv(text: string): string[][] {
  const lines: string[][] = [];
  let field = '';
  let line: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      line.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      line.push(field);
      lines.push(line);
      line = [];
      field = '';
      i++;
    } else field += c;
  }
  return lines;
}

describe('details list', () => {
  it('sorts by count either way (ties by name) or by name, keeping every row', () => {
    const rows = [
      { x: '/b', y: 2 },
      { x: '/a', y: 2 },
      { x: '/c', y: 5 },
      { x: '/page-10', y: 1 },
      { x: '/page-9', y: 1 },
    ];
    expect(sortRows(rows, 'most').map((r) => r.x)).toEqual(['/c', '/a', '/b', '/page-9', '/page-10']);
    expect(sortRows(rows, 'fewest').map((r) => r.x)).toEqual(['/page-9', '/page-10', '/a', '/b', '/c']);
    expect(sortRows(rows, 'name').map((r) => r.x)).toEqual(['/a', '/b', '/c', '/page-9', '/page-10']);
    fc.assert(
      fc.property(fc.array(fc.record({ x: fc.string(), y: fc.nat() })), fc.constantFrom('most', 'fewest', 'name' as const), (list, order) => {
        const sorted = sortRows(list, order);
        expect(sorted).toHaveLength(list.length);
        expect([...sorted].sort((a, b) => a.y - b.y || (a.x < b.x ? -1 : 1))).toEqual([...list].sort((a, b) => a.y - b.y || (a.x < b.x ? -1 : 1)));
        if (order !== 'name')
          for (let i = 1; i < sorted.length; i++) expect((order === 'most' ? -1 : 1) * (sorted[i]!.y - sorted[i - 1]!.y)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('pages cover the rows once, in order, and a page past the end shows the last', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 300 }), fc.integer({ min: 1, max: 60 }), (rows, size) => {
        const { pages } = pageOf(rows, 1, size);
        const all = Array.from({ length: pages }, (_, i) => pageOf(rows, i + 1, size).rows).flat();
        expect(all).toEqual(rows);
        expect(pageOf(rows, pages + 5, size).page).toBe(pages);
      }),
    );
  });

  it('writes CSV that reads back to the same values, with formulas defused', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(-1)).toBe('-1');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.nat())), (rows) => {
        const parsed = parseCsv(toCsv(['Page', 'Visitors'], rows));
        expect(parsed[0]).toEqual(['Page', 'Visitors']);
        expect(parsed.slice(1)).toEqual(rows.map(([x, y]) => [/^[=+\-@\t\r]/.test(x) ? `'${x}` : x, String(y)]));
      }),
    );
  });
});
