import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unzip } from '../../../test-support/unzip';
import { base64Stream, zipStream, type ZipEntry } from './zip-stream';

async function* chunksOf(parts: string[]) {
  for (const part of parts) yield part;
}
const collect = async (stream: AsyncIterable<Buffer>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
};

describe('zipStream', () => {
  it('writes a zip whose files read back as the chunks given, for any names and contents', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({ name: fc.stringMatching(/^[a-z0-9é_-]{1,12}\.csv$/), parts: fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 6 }) }),
          {
            maxLength: 5,
            selector: (file) => file.name,
          },
        ),
        async (files) => {
          const entries: ZipEntry[] = files.map((f) => ({ name: f.name, chunks: chunksOf(f.parts) }));
          const archive = await collect(zipStream(entries));
          const read = unzip(archive);
          expect([...read.keys()]).toEqual(files.map((f) => f.name));
          for (const f of files) expect(read.get(f.name)!.toString('utf8')).toBe(f.parts.join(''));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is read by Python’s zipfile too (another reader than ours), CRCs checked', async () => {
    const big = Array.from({ length: 200 }, (_, i) => `${i},${'x'.repeat(i % 50)}\n`);
    const archive = await collect(
      zipStream([
        { name: 'events.csv', chunks: chunksOf(big) },
        { name: 'empty.csv', chunks: chunksOf([]) },
      ]),
    );
    const path = join(mkdtempSync(join(tmpdir(), 'zip-')), 'a.zip');
    writeFileSync(path, archive);
    const out = execFileSync('python3', [
      '-c',
      `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.read('events.csv')), len(z.read('empty.csv')))`,
      path,
    ]);
    expect(out.toString().trim()).toBe(`${big.join('').length} 0`);
  });
});

describe('base64Stream', () => {
  it('joins up to the base64 of the whole, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 10 }), async (pieces) => {
        async function* bytes() {
          for (const piece of pieces) yield Buffer.from(piece);
        }
        let text = '';
        for await (const part of base64Stream(bytes())) text += part;
        expect(text).toBe(Buffer.concat(pieces.map((p) => Buffer.from(p))).toString('base64'));
      }),
    );
  });
});
