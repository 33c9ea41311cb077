import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A row ClickHouse refused for its content, with the error it gave. */
export interface RefusedRow {
  /** The row as it was spooled: one JSON object, ready for INSERT … FORMAT JSONEachRow. */
  line: string;
  error: unknown;
}

export interface QuarantineStats {
  /** Rows kept in the quarantine's files now. */
  rows: number;
  bytes: number;
  /** Rows refused since this process started that did not fit in the budget: logged, then dropped. */
  discardedRows: number;
}

const longestError = 2000;
const errorText = (error: unknown) => {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  const text = `${typeof type === 'string' ? `${type}: ` : ''}${String(message ?? error)}`;
  return text.length > longestError ? text.slice(0, longestError) : text;
};

/**
 * Rows ClickHouse refused for their content, kept under DATA_DIR/quarantine so that nothing
 * acknowledged disappears without a trace, and so that one bad row never holds the others back.
 * One file per refused part of a batch, named after its spool segment and table, each line
 * `{"table", "error", "row"}`. Writing a batch's file again (a replay after a crash) replaces it,
 * so a row is never kept twice. At most `maxBytes` in all: refused rows past that are counted,
 * logged and dropped.
 */
export class Quarantine {
  readonly dir: string;
  #stats: QuarantineStats = { rows: 0, bytes: 0, discardedRows: 0 };
  /** The directory's mtime when #stats was counted: an operator deleting a file is seen at the next look. */
  #countedAt = -1;

  constructor(
    dataDir: string,
    private readonly maxBytes: number,
  ) {
    this.dir = join(dataDir, 'quarantine');
    mkdirSync(this.dir, { recursive: true });
  }

  /** What the quarantine holds (recounted when its directory changed). */
  get stats(): QuarantineStats {
    // An operator may have deleted the directory itself.
    mkdirSync(this.dir, { recursive: true });
    const changedAt = statSync(this.dir).mtimeMs;
    if (changedAt !== this.#countedAt) {
      let rows = 0;
      let bytes = 0;
      for (const name of readdirSync(this.dir)) {
        if (!name.endsWith('.jsonl')) continue;
        const content = readFileSync(join(this.dir, name));
        bytes += content.length;
        for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) rows += 1;
      }
      this.#stats = { ...this.#stats, rows, bytes };
      this.#countedAt = changedAt;
    }
    return { ...this.#stats };
  }

  /**
   * Keeps the refused rows of one batch under `name` (the same name for the same rows on every
   * replay); returns the file's path, or null when they did not fit in the budget.
   */
  keep(name: string, table: string, refused: RefusedRow[]): string | null {
    const content = refused.map(({ line, error }) => `{"table":${JSON.stringify(table)},"error":${JSON.stringify(errorText(error))},"row":${line}}\n`).join('');
    const path = join(this.dir, `${name}.${table}.jsonl`);
    let replaced = 0;
    try {
      replaced = statSync(path).size;
    } catch {
      // Not kept before.
    }
    if (this.stats.bytes - replaced + Buffer.byteLength(content) > this.maxBytes) {
      this.#stats.discardedRows += refused.length;
      return null;
    }
    // Written whole or not at all: a crash leaves either the old file or the new one.
    const temporary = `${path}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    const dir = openSync(this.dir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.#countedAt = -1;
    return path;
  }
}
