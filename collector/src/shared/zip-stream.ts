import { crc32, createDeflateRaw } from 'node:zlib';

/** One file of a zip: its name and its content as chunks (produced lazily, so a large file is never held whole). */
export interface ZipEntry {
  name: string;
  chunks: AsyncIterable<Buffer | string>;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** The largest size a zip without its 64-bit extension records (4 GiB - 1). */
export const zipFileLimit = 0xffffffff;

/**
 * A zip archive (deflated entries, each sized after its data: general purpose flag bit 3) written
 * as it is read: each entry's chunks are compressed as they come, so memory holds one chunk and
 * the deflater's window, whatever the archive's size. Without Zip64: every file and the archive
 * stay under 4 GiB (an entry past it throws).
 */
export async function* zipStream(entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>): AsyncGenerator<Buffer> {
  const central: Buffer[] = [];
  let offset = 0;
  const dosTime = u16(0);
  const dosDate = u16(((2026 - 1980) << 9) | (1 << 5) | 1);
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    // Version 2.0, flags: sizes after the data (bit 3) and a UTF-8 name (bit 11), deflate.
    const header = Buffer.concat([u32(0x04034b50), u16(20), u16(0x0808), u16(8), dosTime, dosDate, u32(0), u32(0), u32(0), u16(name.length), u16(0), name]);
    yield header;
    const start = offset;
    offset += header.length;
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const output: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => output.push(chunk));
    const drain = function* () {
      while (output.length > 0) {
        const chunk = output.shift()!;
        compressed += chunk.length;
        yield chunk;
      }
    };
    for await (const piece of entry.chunks) {
      const data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      if (data.length === 0) continue;
      crc = crc32(data, crc);
      size += data.length;
      if (size > zipFileLimit) throw new Error(`${entry.name} is over 4 GiB, past what a zip without Zip64 can hold`);
      await new Promise<void>((resolve, reject) => deflate.write(data, (error) => (error ? reject(error) : resolve())));
      // What the deflater has written so far goes out now.
      await new Promise<void>((resolve) => deflate.flush(resolve));
      yield* drain();
    }
    await new Promise<void>((resolve) => deflate.end(resolve));
    await new Promise<void>((resolve) => (deflate.readableEnded ? resolve() : deflate.once('end', () => resolve())));
    yield* drain();
    const descriptor = Buffer.concat([u32(0x08074b50), u32(crc), u32(compressed), u32(size)]);
    yield descriptor;
    offset += compressed + descriptor.length;
    if (offset > zipFileLimit) throw new Error('the archive is over 4 GiB, past what a zip without Zip64 can hold');
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(20),
        u16(20),
        u16(0x0808),
        u16(8),
        dosTime,
        dosDate,
        u32(crc),
        u32(compressed),
        u32(size),
        u16(name.length),
        u16(0),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(start),
        name,
      ]),
    );
  }
  const directory = Buffer.concat(central);
  yield directory;
  yield Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(central.length), u16(central.length), u32(directory.length), u32(offset), u16(0)]);
}

/**
 * Base64 of a byte stream, as it comes: bytes are held back only to complete a 3-byte group, so
 * the text joins up exactly as the base64 of the whole.
 */
export async function* base64Stream(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    const whole = data.length - (data.length % 3);
    if (whole > 0) yield data.subarray(0, whole).toString('base64');
    rest = Buffer.from(data.subarray(whole));
  }
  if (rest.length > 0) yield rest.toString('base64');
}
