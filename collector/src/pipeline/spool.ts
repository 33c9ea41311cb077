import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** The tables a spooled row may go to, by the one-letter tag that starts its line. */
export const spoolTables = { e: 'website_event', s: 'session_data' } as const;
export type SpoolTag = keyof typeof spoolTables;

export interface SpooledRows {
  website_event: object[];
  session_data: object[];
}

/** One segment file: rows appended while it is open, inserted as one batch once sealed. */
export interface Segment {
  seq: number;
  path: string;
  bytes: number;
  count: number;
  /** The rows, while they are kept in memory; null once evicted (read back from the file). */
  rows: SpooledRows | null;
}

const emptyRows = (): SpooledRows => ({ website_event: [], session_data: [] });

/** Parses a segment file; a torn last line (the process died mid-write, so it was never acknowledged) is skipped. */
export function readSegment(path: string): SpooledRows {
  const rows = emptyRows();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const table = spoolTables[line[0] as SpoolTag];
    if (!table) continue;
    try {
      rows[table].push(JSON.parse(line.slice(1)));
    } catch {
      // Only the last line can be torn; anything unreadable was never acknowledged.
    }
  }
  return rows;
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
    private readonly options: { maxBytes: number; fsyncMs: number },
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
      .map((name) => /^segment-(\d+)\.log$/.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    for (const seq of left) {
      const path = this.#path(seq);
      const content = readFileSync(path);
      let count = 0;
      for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) count += 1;
      const bytes = content.length;
      this.sealed.push({ seq, path, bytes, count, rows: null });
      this.#bytes += bytes;
    }
    this.#nextSeq = (left[left.length - 1] ?? 0) + 1;
    if (options.fsyncMs > 0) {
      this.#fsyncTimer = setInterval(() => this.#fsyncCurrent(), options.fsyncMs);
      this.#fsyncTimer.unref();
    }
  }

  #path(seq: number): string {
    return join(this.dir, `segment-${String(seq).padStart(12, '0')}.log`);
  }

  /** Bytes on disk, all segments. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Rows in the open segment. */
  get openRows(): number {
    return this.#current?.count ?? 0;
  }

  /** Appends a row; false when the disk budget is spent (nothing written). */
  append(tag: SpoolTag, row: object): boolean {
    const line = tag + JSON.stringify(row) + '\n';
    const length = Buffer.byteLength(line);
    if (this.#bytes + length > this.options.maxBytes) return false;
    const current = (this.#current ??= this.#open());
    writeSync(current.fd, line);
    if (this.options.fsyncMs === 0) fsyncSync(current.fd);
    else current.dirty = true;
    current.bytes += length;
    current.count += 1;
    current.rows![spoolTables[tag]].push(row);
    this.#bytes += length;
    return true;
  }

  #open() {
    const seq = this.#nextSeq++;
    const path = this.#path(seq);
    return { seq, path, bytes: 0, count: 0, rows: emptyRows(), fd: openSync(path, 'a'), dirty: false };
  }

  #fsyncCurrent(): void {
    const current = this.#current;
    if (!current?.dirty) return;
    current.dirty = false;
    fsync(current.fd, () => {});
  }

  /** Closes the open segment (fsync first) and queues it for insertion; no-op when it is empty. */
  seal(): void {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    fsyncSync(current.fd);
    closeSync(current.fd);
    const { fd: _fd, dirty: _dirty, ...segment } = current;
    this.sealed.push(segment);
  }

  /** The rows of a sealed segment, from memory or read back from its file. */
  rowsOf(segment: Segment): SpooledRows {
    return segment.rows ?? readSegment(segment.path);
  }

  /** Drops the in-memory copy of sealed segments past the first `keep` rows, to bound memory. */
  evictBeyond(keep: number): void {
    let kept = 0;
    for (const segment of this.sealed) {
      if (!segment.rows) continue;
      kept += segment.count;
      if (kept > keep) segment.rows = null;
    }
  }

  /** Deletes a sealed segment once its rows are stored. */
  remove(segment: Segment): void {
    const index = this.sealed.indexOf(segment);
    if (index >= 0) this.sealed.splice(index, 1);
    unlinkSync(segment.path);
    this.#bytes -= segment.bytes;
  }

  close(): void {
    if (this.#fsyncTimer) clearInterval(this.#fsyncTimer);
    this.seal();
  }
}
