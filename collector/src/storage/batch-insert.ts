import { parseError, type ClickHouseClient } from '@clickhouse/client';
import { embeddedEngine } from './client';

// How a batch of rows reaches ClickHouse: the spool writer (pipeline/) decides when and what,
// this decides how.

/**
 * Inserts rows into a table, each the bytes of one JSON object; `token` is the
 * insert_deduplication_token, the same on every retry.
 */
export type Insert = (table: string, lines: readonly Buffer[], token: string) => Promise<void>;

const newline = Buffer.from('\n');

/**
 * The rows as one JSONEachRow body. Rows that follow each other in one buffer, a newline apart
 * (a segment's rows of one table, see splitSegment), are that buffer's stretch: no copy.
 */
export function jsonEachRow(lines: readonly Buffer[]): Buffer {
  const first = lines[0];
  if (!first) return Buffer.alloc(0);
  const whole = new Uint8Array(first.buffer);
  const newlineAfter = (line: Buffer) => line.buffer === first.buffer && whole[line.byteOffset + line.length] === 0x0a;
  let contiguous = newlineAfter(first);
  for (let i = 1; i < lines.length && contiguous; i++) {
    const before = lines[i - 1]!;
    contiguous = newlineAfter(lines[i]!) && lines[i]!.byteOffset === before.byteOffset + before.length + 1;
  }
  const last = lines[lines.length - 1]!;
  if (contiguous) return Buffer.from(first.buffer, first.byteOffset, last.byteOffset + last.length + 1 - first.byteOffset);
  const parts: Buffer[] = [];
  for (const line of lines) parts.push(line, newline);
  return Buffer.concat(parts);
}

const blockLimit = 2 ** 40;

/** Settings an insert carries beyond the ones insertLines always sets (the engine bench tries some). */
export type InsertSettings = Record<string, string | number>;

/**
 * The real insert: the spooled JSON lines go to ClickHouse as they are (FORMAT JSONEachRow), so
 * no row is encoded twice on the event loop. On the embedded engine they go through chDB's raw
 * insert, as bytes beside the statement rather than inside its text (a third of the engine's CPU
 * per event; npm run bench:engine). The settings are in the statement, never session SETs: the
 * embedded engine keeps a SET on its one session for every later query, so a later insert of
 * anyone else's would carry this batch's deduplication token (and lose rows as duplicates).
 */
export function insertLines(db: ClickHouseClient, extraSettings: InsertSettings = {}): Insert {
  const engine = embeddedEngine(db);
  return async (table, lines, token) => {
    const settings: InsertSettings = {
      insert_deduplication_token: token,
      // The rollups' materialized views deduplicate a retried batch too, not only website_event.
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // One batch, one block: ClickHouse otherwise squashes parsed rows into blocks of about 1M
      // rows or 256 MiB and writes each as it fills, so a row refused late in a large batch would
      // leave the rows before it stored under a token its halves do not share, and splitting
      // the batch would store them twice.
      min_insert_block_size_rows: blockLimit,
      min_insert_block_size_bytes: blockLimit,
      // One thread parses a batch: parallel parsing costs the engine more CPU than it saves on
      // batches this size, on cores the event loop needs (npm run bench:engine).
      input_format_parallel_parsing: 0,
      ...extraSettings,
    };
    const body = jsonEachRow(lines);
    if (engine) {
      try {
        await engine.rawInsert({ table, values: body, format: 'JSONEachRow', settings });
      } catch (error) {
        // The shape @clickhouse/client gives (code, type), which refusedForContent reads.
        throw Object.assign(parseError(error instanceof Error ? error.message : String(error)), { cause: error });
      }
      return;
    }
    const clause = Object.entries(settings)
      .map(([name, value]) => `${name} = ${typeof value === 'number' ? value : `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`}`)
      .join(', ');
    await db.command({ query: `INSERT INTO ${table} SETTINGS ${clause} FORMAT JSONEachRow\n${body.toString()}` });
  };
}
