import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileText } from '../../../test-support/hostile-strings';
import { splitSegment, spoolTables, type SpoolTag } from './spool';
import { jsonEachRow } from '../storage/batch-insert';

// Engine-free: a segment file as the spool writes it, split by table and joined into insert bodies.
const row = fc.record({ tag: fc.constantFrom<SpoolTag>('e', 's'), value: fc.record({ url_path: hostileText(), n: fc.integer() }) });
const fileOf = (rows: { tag: SpoolTag; value: object }[]) => Buffer.from(rows.map(({ tag, value }) => tag + JSON.stringify(value) + '\n').join(''));
const parsedBody = (body: Buffer) =>
  body
    .toString()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

describe('a spool segment split into insert bodies', () => {
  it('gives each table its rows, in order, whatever they hold, and any stretch of them as one body', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.nat(), fc.nat(), (rows, a, b) => {
        const split = splitSegment(fileOf(rows), false);
        for (const [tag, table] of Object.entries(spoolTables)) {
          const expected = rows.filter((r) => r.tag === tag).map((r) => r.value);
          expect(parsedBody(jsonEachRow(split[table]))).toEqual(expected);
          const [from, to] = [Math.min(a, b) % (expected.length + 1), Math.max(a, b) % (expected.length + 1)];
          expect(parsedBody(jsonEachRow(split[table].slice(from, Math.max(from, to))))).toEqual(expected.slice(from, Math.max(from, to)));
        }
      }),
    );
  });

  it('hands a table’s consecutive rows to the engine as the file’s own bytes, without a copy', () => {
    const file = fileOf([1, 2, 3].map((n) => ({ tag: 'e' as const, value: { n } })));
    const body = jsonEachRow(splitSegment(file, false).website_event);
    expect(body.buffer).toBe(file.buffer);
    expect(parsedBody(body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('skips a torn last line of a segment left by an earlier run, and keeps every whole one', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), fc.nat(), (rows, cut) => {
        const whole = fileOf(rows);
        const lastLine = whole.lastIndexOf(0x0a, whole.length - 2) + 1;
        // Cut inside the last line, past its tag and before its newline: never acknowledged.
        const torn = whole.subarray(0, lastLine + 1 + (cut % (whole.length - lastLine - 2)));
        const split = splitSegment(Buffer.from(torn), true);
        const kept = rows.slice(0, -1);
        for (const [tag, table] of Object.entries(spoolTables)) {
          expect(parsedBody(jsonEachRow(split[table]))).toEqual(kept.filter((r) => r.tag === tag).map((r) => r.value));
        }
      }),
    );
  });
});
