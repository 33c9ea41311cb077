import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unzip, ZipError, zipFiles, zipFileStream } from './unzip';
import { zipStream } from './zip-stream';

const collect = async (stream: AsyncIterable<Buffer>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

/** An archive written by Python's zipfile (another writer than ours), ZIP64 records forced. */
function pythonZip(files: Record<string, string>, zip64: boolean): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'unzip-'));
  const path = join(dir, 'a.zip');
  const script = `import json, sys, zipfile
files = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_DEFLATED) as z:
    for name, text in files.items():
        with z.open(name, 'w', force_zip64=${zip64 ? 'True' : 'False'}) as f:
            f.write(text.encode())`;
  execFileSync('python3', ['-c', script, path, JSON.stringify(files)]);
  return readFileSync(path);
}

describe('unzip', () => {
  it('reads archives of another writer, ZIP64 local headers included, whole and streamed', async () => {
    const files = { 'imported_visitors_20240101_20240131.csv': 'date,visitors\n2024-01-01,3\n', 'b/é.csv': 'x'.repeat(100_000) };
    for (const zip64 of [false, true]) {
      const archive = pythonZip(files, zip64);
      expect(Object.fromEntries([...unzip(archive)].map(([name, data]) => [name, data.toString()]))).toEqual(files);
      for (const file of zipFiles(archive)) expect((await collect(zipFileStream(archive, file))).toString()).toBe(files[file.name as keyof typeof files]);
    }
  });

  it('answers a damaged archive with a ZipError, whatever the damage', async () => {
    async function* one() {
      yield {
        name: 'a.csv',
        chunks: (async function* () {
          yield 'date,visitors\n2024-01-01,3\n'.repeat(20);
        })(),
      };
    }
    const archive = await collect(zipStream(one()));
    fc.assert(
      fc.property(fc.nat(archive.length - 1), fc.nat(255), fc.boolean(), (at, byte, cut) => {
        const damaged = cut ? archive.subarray(0, at) : Buffer.from(archive).fill(byte, at, at + 1);
        try {
          zipFiles(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(ZipError);
        }
      }),
      { numRuns: 300 },
    );
    expect(() => zipFiles(Buffer.from('date,visitors\n'))).toThrow(ZipError);
  });
});
