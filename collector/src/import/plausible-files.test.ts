import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvLines, fileRows, ImportFileError, maxImportedText, parseFileName, referrerDomain } from './plausible-files';

const quote = (field: string) => (/[",\r\n]/.test(field) || field === '' ? `"${field.replace(/"/g, '""')}"` : field);

/** The text cut at the given places, as chunks. */
const cut = (text: string, at: number[]) => {
  const places = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  return [0, ...places, text.length].slice(1).map((end, i, all) => text.slice(i === 0 ? 0 : all[i - 1], end));
};

describe('CsvLines', () => {
  it('reads back any fields, quoted or not, whatever the chunks and line ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom('\n', '\r\n'),
        (lines, at, eol) => {
          const text = lines.map((line) => line.map(quote).join(',')).join(eol) + eol;
          const csv = new CsvLines();
          const read = cut(text, at).flatMap((chunk) => csv.push(chunk));
          read.push(...csv.end());
          expect(read).toEqual(lines);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a text that ends inside a quoted field', () => {
    const csv = new CsvLines();
    csv.push('date,page\n2024-01-01,"/a');
    expect(() => csv.end()).toThrow(ImportFileError);
  });
});

describe('the export’s files', () => {
  it('are named <table>_<first>_<last>.csv, with or without imported_, and real days', () => {
    expect(parseFileName('imported_pages_20240101_20240131.csv')).toEqual({ table: 'pages', first: '2024-01-01', last: '2024-01-31' });
    expect(parseFileName('export/entry_pages_20240101_20240102.csv')).toEqual({ table: 'entry_pages', first: '2024-01-01', last: '2024-01-02' });
    for (const name of [
      'website_event.csv',
      'imported_pages_20240230_20240301.csv',
      'imported_nothing_20240101_20240101.csv',
      'imported_pages_20240102_20240101.csv',
    ])
      expect(parseFileName(name), name).toBeNull();
  });

  const file = { table: 'devices' as const, first: '2024-01-01', last: '2024-01-31', name: 'devices.csv' };
  const rowsOf = (lines: string[][]) => [...fileRows(file, lines)];

  it('turn lines into rows: Plausible’s names as ours, text cleaned and cut, missing counts 0, unknown columns skipped', () => {
    const rows = rowsOf([
      ['date', 'device', 'visitors', 'visits', 'extra'],
      ['2024-01-02', 'Mobile', '3', '4', 'x'],
      ['2024-01-03', `\u202e${'d'.repeat(3000)}`, '0', '\\N', 'y'],
    ]);
    expect(rows[0]).toMatchObject({ table: 'devices', date: '2024-01-02', dims: { device: 'mobile' }, counts: { visitors: 3, visits: 4, pageviews: 0 } });
    expect(rows[1]!.dims.device).toHaveLength(maxImportedText);
    expect(rows[1]!.dims.device!.startsWith('\ufffd')).toBe(true);
    expect(referrerDomain({ source: 'Hacker News', referrer: 'news.ycombinator.com/item' })).toBe('news.ycombinator.com');
    expect(referrerDomain({ source: 'Google', referrer: '' })).toBe('Google');
  });

  it('refuse a line that is not a day of the file, not a count, or not the heading’s width, saying where', () => {
    const heading = ['date', 'device', 'visitors'];
    for (const [line, message] of [
      [['2024-02-01', 'desktop', '1'], /line 2: 2024-02-01 is outside/],
      [['2024-01-32', 'desktop', '1'], /line 2: "2024-01-32" is not a date/],
      [['2024-01-05', 'desktop', '-1'], /line 2: visitors "-1" is not a whole number/],
      [['2024-01-05', 'desktop', '1e3'], /not a whole number/],
      [['2024-01-05', 'desktop'], /line 2: 2 fields where the heading has 3/],
    ] as const)
      expect(() => rowsOf([heading, [...line]])).toThrow(message);
    expect(() => rowsOf([['day', 'device']])).toThrow(/no "date" column/);
    expect(() => rowsOf([])).toThrow(/empty/);
  });
});
