import type { ClickHouseClient } from '@clickhouse/client';
import { CsvLines, FileRows, ImportFileError, parseFileName, type ImportedRow, type ImportedTable } from '../import/plausible-files';
import { uuidPattern } from '../shared/ids';
import { ZipError, zipFileStream, zipFiles, type ZipFile } from '../shared/unzip';
import { rows } from './client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';

/** One file of an archive and what it held. */
export interface ImportedFile {
  name: string;
  table: ImportedTable;
  first: string;
  last: string;
  rows: number;
}

/** What an import did: the files it read, and those it left (not of Plausible's export: raw events, a README). */
export interface PlausibleImport {
  files: ImportedFile[];
  skipped: string[];
}

/** Rows per insert. */
const batchRows = 20_000;
const uuid = new RegExp(uuidPattern);

type Named = ZipFile & { table: ImportedTable; first: string; last: string };

/** One file's rows, read as the file inflates. */
async function* rowsOfFile(archive: Buffer, file: Named): AsyncGenerator<ImportedRow> {
  const csv = new CsvLines();
  const reader = new FileRows(file);
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of zipFileStream(archive, file)) {
    let text = decoder.decode(chunk as Buffer, { stream: true });
    if (first && text) {
      text = text.replace(/^\ufeff/, '');
      first = false;
    }
    yield* reader.of(csv.push(text));
  }
  yield* reader.of([...csv.push(decoder.decode()), ...csv.end()]);
  reader.end();
}

/** The files of Plausible's export in an archive, and the names of the others. */
function exportFiles(archive: Buffer): { named: Named[]; skipped: string[] } {
  let files: ZipFile[];
  try {
    files = zipFiles(archive);
  } catch (error) {
    if (error instanceof ZipError) throw new ImportFileError(error.message);
    throw error;
  }
  const named: Named[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const parsed = parseFileName(file.name);
    if (parsed) named.push({ ...file, ...parsed });
    else if (!file.name.endsWith('/')) skipped.push(file.name);
  }
  if (!named.length) throw new ImportFileError("the archive holds none of Plausible's export files (imported_visitors_YYYYMMDD_YYYYMMDD.csv, …)");
  const tables = named.map((file) => file.table);
  const twice = tables.find((table, i) => tables.indexOf(table) !== i);
  if (twice) throw new ImportFileError(`the archive holds two ${twice} files: import them one archive at a time`);
  return { named, skipped };
}

/**
 * Imports the zip of Plausible's "export all stats" (or ours, GET …/export/plausible) into a
 * website's imported_stats: every file is read and checked first, so a bad line changes nothing;
 * then each file's table and days are replaced (their old rows deleted, its rows inserted), so an
 * import run twice leaves one copy. Memory: the archive, and one batch of rows.
 */
export async function importPlausible(
  db: ClickHouseClient,
  websiteId: string,
  archive: Buffer,
  cluster: ClusterTopology | null,
  now = Date.now(),
): Promise<PlausibleImport> {
  if (!uuid.test(websiteId)) throw new Error(`not a website id: ${websiteId}`);
  const { named, skipped } = exportFiles(archive);
  const files: ImportedFile[] = [];
  for (const file of named) {
    let count = 0;
    for await (const _ of rowsOfFile(archive, file)) count++;
    files.push({ name: file.name, table: file.table, first: file.first, last: file.last, rows: count });
  }
  const importedAt = new Date(now).toISOString().replace('T', ' ').replace('Z', '');
  // The days each file replaces, deleted in one statement (a delete costs the engine a pass over
  // the table's parts, about a second, whatever it matches) and only when any are there.
  // Values checked above (a website id, tables of the list, real days) and written in.
  const days = named.map((file) => `(kind = '${file.table}' AND date BETWEEN '${file.first}' AND '${file.last}')`).join(' OR ');
  const replaced = `website_id = '${websiteId}' AND source = 'plausible' AND (${days})`;
  const [present] = await rows<{ n: string }>(db, `SELECT count() AS n FROM imported_stats WHERE ${replaced}`);
  if (Number(present?.n) > 0) await db.command({ query: deleteFrom('imported_stats', replaced, cluster) });
  for (const file of named) {
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length) await db.insert({ table: 'imported_stats', values: batch, format: 'JSONEachRow' });
      batch = [];
    };
    for await (const row of rowsOfFile(archive, file)) {
      batch.push({ website_id: websiteId, source: 'plausible', kind: row.table, date: row.date, dims: row.dims, ...row.counts, imported_at: importedAt });
      if (batch.length >= batchRows) await flush();
    }
    await flush();
  }
  return { files, skipped };
}

/** The days a website has imported figures for, per source. */
export interface ImportedRange {
  source: string;
  firstDay: string;
  lastDay: string;
  days: number;
  pageviews: number;
  importedAt: string;
}

export async function importedRanges(db: ClickHouseClient, websiteId: string): Promise<ImportedRange[]> {
  return rows<ImportedRange>(
    db,
    `SELECT source, toString(min(date)) AS firstDay, toString(max(date)) AS lastDay, uniqExact(date) AS days,
        sum(pageviews) AS pageviews, max(imported_at) AS importedAt
      FROM imported_stats WHERE website_id = {websiteId:UUID} AND kind = 'visitors' GROUP BY source ORDER BY source`,
    { websiteId },
  );
}

/** Deletes a website's imported figures (all of them), waiting until they are gone. */
export async function removeImported(db: ClickHouseClient, websiteId: string, cluster: ClusterTopology | null): Promise<void> {
  if (!uuid.test(websiteId)) throw new Error(`not a website id: ${websiteId}`);
  await db.command({ query: deleteFrom('imported_stats', `website_id = '${websiteId}'`, cluster) });
}
