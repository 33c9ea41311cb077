import { randomBytes } from 'node:crypto';
import { close, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskGuard } from './disk-guard';

/** The tables a spooled row may go to, by the one-letter tag that starts its line. */
export const spoolTables = { e: 'website_event', s: 'session_data', p: 'website_performance', r: 'website_revenue' } as const;
export type SpoolTag = keyof typeof spoolTables;
/** A table the spool takes rows for (what the ingest routes name). */
export type SpooledTable = (typeof spoolTables)[SpoolTag];
const tagFor = Object.fromEntries(Object.entries(spoolTables).map(([tag, table]) => [table, tag])) as Record<SpooledTable, SpoolTag>;

/**
 * Rows per table, each the bytes of the JSON object it was spooled as (its tag blanked, without
 * its newline), ready for a JSONEachRow insert: views into the segment file as read, never decoded.
 */
export type SpooledRows = Record<SpooledTable, Buffer[]>;

/** One segment file: rows appended while it is open, inserted as one batch once sealed. */
export interface Segment {
  /** Orders segments: replay goes oldest first. */
  seq: number;
  /**
   * The segment's deduplication token: the spool's id, the sequence number and 64 random bits
   * chosen when the file was created and kept in its name, so a replay carries the same token and
   * no other segment, in this data directory or any other, ever gets it.
   */
  token: string;
  path: string;
  bytes: number;
  count: number;
  /**
   * Left by an earlier run, so its last line may be torn: each line is checked when read back.
   * Lines of this run's segments were written whole, so they are not parsed again.
   */
  fromEarlierRun: boolean;
}

/** Refused before writing: the data directory's disk has less free space than MIN_FREE_DISK_MB. */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC';
  constructor() {
    super('the disk is (nearly) full');
  }
}

/** segment-<seq>-<random>.log; segment-<seq>.log from versions before the random part. */
const segmentName = /^segment-(\d+)(?:-([0-9a-f]{16}))?\.log$/;

const emptyRows = (): SpooledRows => ({ website_event: [], session_data: [], website_performance: [], website_revenue: [] });

const newline = 0x0a;
const tableOfTag = new Map(Object.entries(spoolTables).map(([tag, table]) => [tag.charCodeAt(0), table]));

const space = 0x20;

/**
 * Splits a segment file into its rows by table. A segment left by an earlier run may end in a
 * torn line (the process died mid-write, so it was never acknowledged): each of its lines is
 * parsed and an unreadable one skipped. This run's lines were written whole and are not parsed.
 *
 * Each row is a view into `content` that starts at its tag, overwritten with a space (JSON allows
 * it), so consecutive rows of one table stay one stretch of the file, which `jsonEachRow` then
 * hands to the engine as it is, without copying.
 */
export function splitSegment(content: Buffer, fromEarlierRun: boolean): SpooledRows {
  const rows = emptyRows();
  for (let start = 0; start < content.length; ) {
    let end = content.indexOf(newline, start);
    if (end < 0) end = content.length;
    const table = tableOfTag.get(content[start]!);
    if (table && end > start + 1) {
      content[start] = space;
      const json = content.subarray(start, end);
      if (!fromEarlierRun || readable(json)) rows[table].push(json);
    }
    start = end + 1;
  }
  return rows;
}

function readable(json: Buffer): boolean {
  try {
    JSON.parse(json.toString());
    return true;
  } catch {
    return false;
  }
}

/**
 * The write-ahead log under DATA_DIR/spool: an append-only segment file being written and the
 * sealed segments waiting to be inserted. A row is acknowledged only after its line is written
 * to the file (the kernel then has it, so a crash of this process cannot lose it); fsync runs
 * every `fsyncMs` (0: after every write), which bounds what a machine crash can lose.
 */
export class Spool {
  readonly dir: string;
  /** Stable for this data directory, so a replayed segment carries the same deduplication token. */
  readonly id: string;
  readonly sealed: Segment[] = [];
  #current: (Segment & { fd: number; dirty: boolean }) | null = null;
  #nextSeq: number;
  #bytes = 0;
  #fsyncTimer: NodeJS.Timeout | null = null;

  constructor(
    dataDir: string,
    private readonly options: { maxBytes: number; fsyncMs: number; diskGuard?: DiskGuard },
  ) {
    this.dir = join(dataDir, 'spool');
    mkdirSync(this.dir, { recursive: true });
    const idFile = join(this.dir, 'id');
    try {
      this.id = readFileSync(idFile, 'utf8').trim();
    } catch {
      this.id = randomBytes(8).toString('hex');
      writeFileSync(idFile, this.id + '\n');
    }
    // Segments left by an earlier run are replayed first, in order, read lazily from disk.
    const left = readdirSync(this.dir)
      .map((name) => segmentName.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([name, seq, random]) => ({ name, seq: Number(seq), random }))
      .sort((a, b) => a.seq - b.seq);
    for (const { name, seq, random } of left) {
      const path = join(this.dir, name);
      const content = readFileSync(path);
      let count = 0;
      for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) count += 1;
      const bytes = content.length;
      // Segments named before the random part existed keep the token they were first tried with.
      const token = random ? `${this.id}:${seq}-${random}` : `${this.id}:${seq}`;
      this.sealed.push({ seq, token, path, bytes, count, fromEarlierRun: true });
      this.#bytes += bytes;
    }
    // Sequence numbers only order segments; they may repeat after the spool empties, tokens never do.
    this.#nextSeq = (left[left.length - 1]?.seq ?? 0) + 1;
    if (options.fsyncMs > 0) {
      this.#fsyncTimer = setInterval(() => this.#fsyncCurrent(), options.fsyncMs);
      this.#fsyncTimer.unref();
    }
  }

  /** Bytes on disk, all segments. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Rows in the open segment. */
  get openRows(): number {
    return this.#current?.count ?? 0;
  }

  /**
   * Appends a row. Rows appended in the same turn of the event loop are written together, in one
   * write, before any of their promises resolve (group commit): resolves true once the row is in
   * the file, false at once when the disk budget is spent (nothing written). Rejects, with nothing
   * written, while the disk is (nearly) full (DiskFullError), or when the write fails.
   */
  append(table: SpooledTable, row: object): Promise<boolean> {
    const json = JSON.stringify(row);
    const line = tagFor[table] + json + '\n';
    const length = Buffer.byteLength(line);
    if (this.#bytes + length > this.options.maxBytes) return Promise.resolve(false);
    if (this.options.diskGuard && !this.options.diskGuard.accepting) return Promise.reject(new DiskFullError());
    const current = (this.#current ??= this.#open());
    current.count += 1;
    current.bytes += length;
    this.#bytes += length;
    this.#pending.push(line);
    if (!this.#written) {
      this.#written = new Promise<boolean>((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
      setImmediate(() => this.#writePending());
    }
    return this.#written;
  }

  #pending: string[] = [];
  #written: Promise<boolean> | null = null;
  #settle: { resolve: (ok: boolean) => void; reject: (error: unknown) => void } | null = null;

  /** Writes the lines appended since the last write, then acknowledges them. */
  #writePending(): void {
    const settle = this.#settle;
    const lines = this.#pending;
    this.#pending = [];
    this.#written = null;
    this.#settle = null;
    if (lines.length === 0 || !settle) {
      settle?.resolve(true);
      return;
    }
    const current = this.#current!;
    const bytes = Buffer.from(lines.length === 1 ? lines[0]! : lines.join(''));
    const length = bytes.length;
    try {
      // A write may take only part of the bytes (a disk filling up): the rest is written after
      // it, and the next write throws if no room is left.
      for (let done = 0; done < length; ) done += writeSync(current.fd, bytes, done, length - done);
      if (this.options.fsyncMs === 0) fsyncSync(current.fd);
      else current.dirty = true;
      settle.resolve(true);
    } catch (error) {
      // Nothing of this write is acknowledged, so nothing of it may stay: a part written before
      // the disk filled up is cut off, and the counts go back to what the file holds.
      current.count -= lines.length;
      current.bytes -= length;
      this.#bytes -= length;
      try {
        ftruncateSync(current.fd, current.bytes);
      } catch {
        // The file keeps a torn line; it is skipped when read back (see splitSegment).
        current.fromEarlierRun = true;
      }
      this.options.diskGuard?.recheck();
      settle.reject(error);
    }
  }

  #open() {
    const seq = this.#nextSeq++;
    const random = randomBytes(8).toString('hex');
    const path = join(this.dir, `segment-${String(seq).padStart(12, '0')}-${random}.log`);
    const token = `${this.id}:${seq}-${random}`;
    return { seq, token, path, bytes: 0, count: 0, fromEarlierRun: false, fd: openSync(path, 'a'), dirty: false };
  }

  #fsyncCurrent(): void {
    const current = this.#current;
    if (!current?.dirty) return;
    current.dirty = false;
    fsync(current.fd, () => {});
  }

  /** Closes the open segment (fsync first) and queues it for insertion; no-op when it is empty. */
  seal(): void {
    // Lines waiting for this turn's write go into the segment they were counted in.
    this.#writePending();
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    // fsync and close on the thread pool: a synchronous fsync of a few megabytes stalled the event
    // loop for tens of milliseconds. The rows are in the file already; this only hardens them.
    fsync(current.fd, () => close(current.fd, () => {}));
    const { fd: _fd, dirty: _dirty, ...segment } = current;
    this.sealed.push(segment);
  }

  /**
   * The rows of a sealed segment, read back from its file when its turn comes (a file of this run
   * is still in the page cache). No row is kept on the heap while it waits: that kept every
   * spooled row alive through the young generation's collections and doubled their cost.
   */
  async rowsOf(segment: Segment): Promise<SpooledRows> {
    return splitSegment(await readFile(segment.path), segment.fromEarlierRun);
  }

  /**
   * Deletes a sealed segment once its rows are stored. The file goes on the thread pool: unlinking
   * a segment of 20,000 rows took the event loop about 8 ms.
   */
  async remove(segment: Segment): Promise<void> {
    await unlink(segment.path);
    const index = this.sealed.indexOf(segment);
    if (index >= 0) this.sealed.splice(index, 1);
    this.#bytes -= segment.bytes;
  }

  close(): void {
    if (this.#fsyncTimer) clearInterval(this.#fsyncTimer);
    this.seal();
  }
}
