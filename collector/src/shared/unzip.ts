import { Readable } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipFile {
  name: string;
  /** 0 stored, 8 deflated: the only two a reader must know. */
  method: number;
  compressedSize: number;
  size: number;
  /** Where its data begins in the archive. */
  dataStart: number;
}

export class ZipError extends Error {}

const endOfDirectory = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/** A 64-bit little-endian field that must fit a JavaScript number (any archive in memory does). */
const readSize = (archive: Buffer, at: number) => Number(archive.readBigUInt64LE(at));

/**
 * The files of a zip archive, read from its central directory (the local headers' sizes may be
 * zero when the writer streamed: Plausible's and ours do), ZIP64 included. Throws ZipError on
 * anything that is not a whole archive.
 */
export function zipFiles(archive: Buffer): ZipFile[] {
  try {
    return readDirectory(archive);
  } catch (error) {
    // A field pointing past the end: damaged, whichever field it was.
    if (error instanceof RangeError) throw new ZipError('a damaged zip archive (a field points past its end)');
    throw error;
  }
}

function readDirectory(archive: Buffer): ZipFile[] {
  const end = archive.lastIndexOf(endOfDirectory);
  if (end < 0 || end + 22 > archive.length) throw new ZipError('not a zip archive (no end of central directory)');
  let count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) {
    // ZIP64: the locator just before the end record points at the 64-bit end record.
    const locator = end - 20;
    if (locator < 0 || archive.readUInt32LE(locator) !== 0x07064b50) throw new ZipError('a ZIP64 archive without its locator');
    const record = readSize(archive, locator + 8);
    if (record + 56 > archive.length || archive.readUInt32LE(record) !== 0x06064b50) throw new ZipError('a ZIP64 archive without its end record');
    count = readSize(archive, record + 32);
    at = readSize(archive, record + 48);
  }
  const files: ZipFile[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== 0x02014b50) throw new ZipError('a damaged zip archive (bad central directory)');
    const method = archive.readUInt16LE(at + 10);
    let compressedSize = archive.readUInt32LE(at + 20);
    let size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    let local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    // ZIP64 extra field: the 64-bit values of those that were saturated, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = archive.readUInt16LE(extra);
      const length = archive.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = readSize(archive, field);
          field += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = readSize(archive, field);
          field += 8;
        }
        if (local === 0xffffffff) local = readSize(archive, field);
      }
      extra += 4 + length;
    }
    if (local + 30 > archive.length || archive.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`a damaged zip archive (no local header for ${name})`);
    const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    if (dataStart + compressedSize > archive.length) throw new ZipError(`a truncated zip archive (${name} runs past its end)`);
    if (method !== 0 && method !== 8) throw new ZipError(`${name} is compressed with method ${method}: only stored and deflated files are read`);
    files.push({ name, method, compressedSize, size, dataStart });
    at = extraEnd + commentLength;
  }
  return files;
}

/** One file's bytes as a stream, inflated as it is read: a large file never sits whole in memory. */
export function zipFileStream(archive: Buffer, file: ZipFile): Readable {
  const data = archive.subarray(file.dataStart, file.dataStart + file.compressedSize);
  return file.method === 8 ? Readable.from([data]).pipe(createInflateRaw()) : Readable.from([data]);
}

/** Every file of a small archive, whole: for tests and small reads. */
export function unzip(archive: Buffer): Map<string, Buffer> {
  return new Map(
    zipFiles(archive).map((file) => {
      const data = archive.subarray(file.dataStart, file.dataStart + file.compressedSize);
      return [file.name, file.method === 8 ? inflateRawSync(data) : Buffer.from(data)];
    }),
  );
}
