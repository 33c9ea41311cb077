// npm run import -- umami --database-url postgres://user:password@host:5432/umami [--owner USERNAME] [--website ID …]
// npm run import -- plausible --website ID --file plausible-export.zip
// Brings an Umami PostgreSQL database (v2 or v3 schema), or Plausible's CSV export, into ours: see docs/import.md. Reads the
// same environment as the collector (DATA_DIR, CLICKHOUSE_URL, …); on the embedded engine the
// collector must be stopped first (one process at a time may open a DATA_DIR). Interrupted
// (Ctrl-C), it stops after the chunk in hand; run it again to resume.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Users } from './auth/users';
import { CliError, runCli } from './cli';
import { loadConfig } from './config';
import { ImportFileError } from './import/plausible-files';
import { parseDatabaseUrl, SourceError } from './import/umami-source';
import { openStorage } from './storage/client';
import { migrate } from './storage/migrate';
import { importPlausible } from './storage/plausible-import';
import { importUmami, type ImportProgress } from './storage/umami-import';
import { Websites } from './websites/websites';

const usage = `Usage:
  npm run import -- umami --database-url postgres://user:password@host:5432/umami [--owner USERNAME] [--website ID]...
  npm run import -- plausible --website ID --file plausible-export.zip
umami: imports every website not deleted in that Umami database (or the --website ones), owned by
--owner (default: the oldest admin). Run it again to resume an interrupted import; it adds nothing twice.
plausible: imports the daily figures of Plausible's "export all stats" zip into an existing
website; days already imported are replaced, not doubled.`;

/** A one-line progress bar on a terminal; a line per tenth elsewhere (logs). */
function progressPrinter(started: number) {
  let lastTenth = -1;
  return ({ events, total, day }: ImportProgress) => {
    const share = total === 0 ? 1 : events / total;
    const rate = Math.round(events / Math.max((performance.now() - started) / 1000, 0.001));
    const line = `${(share * 100).toFixed(1).padStart(5)}% ${events.toLocaleString('en')} / ${total.toLocaleString('en')} events, up to ${day}, ${rate.toLocaleString('en')} events/s`;
    if (process.stdout.isTTY) {
      const width = 30;
      const done = Math.round(share * width);
      process.stdout.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}`);
    } else if (Math.floor(share * 10) > lastTenth) {
      lastTenth = Math.floor(share * 10);
      process.stdout.write(`${line}\n`);
    }
  };
}

type Options = { 'database-url'?: string; owner?: string; website?: string[]; file?: string };

async function main(): Promise<string> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'database-url': { type: 'string' }, owner: { type: 'string' }, website: { type: 'string', multiple: true }, file: { type: 'string' } },
  });
  if (positionals.length === 1 && positionals[0] === 'umami' && values['database-url'] && !values.file) return fromUmami(values);
  if (positionals.length === 1 && positionals[0] === 'plausible' && values.file && values.website?.length === 1 && !values['database-url']) {
    return fromPlausible(values.website[0]!, values.file);
  }
  throw new CliError(usage);
}

/** The storage of the collector's environment, migrated; on the embedded engine, only while the collector is stopped. */
async function openMigrated() {
  const config = loadConfig();
  const cluster = config.clickhouse?.cluster ?? null;
  const db = await openStorage(config).catch((error: unknown) => {
    const hint = config.clickhouse ? '' : `\nIs the collector running on ${config.dataDir}? Stop it first: one process at a time may open the embedded engine.`;
    throw new CliError(`Could not open the database: ${error instanceof Error ? error.message : String(error)}${hint}`);
  });
  try {
    await migrate(db, undefined, { shared: config.clickhouse !== null, cluster });
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, cluster };
}

async function fromPlausible(websiteId: string, file: string): Promise<string> {
  const archive = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`Could not read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const { db, cluster } = await openMigrated();
  try {
    if (!(await new Websites(db, cluster).accepts(websiteId))) throw new CliError(`No website has the id ${websiteId}`);
    const summary = await importPlausible(db, websiteId, archive, cluster).catch((error: unknown) => {
      throw error instanceof ImportFileError ? new CliError(`${file}: ${error.message}`) : error;
    });
    const lines = summary.files.map((f) => `  ${f.name}: ${f.rows.toLocaleString('en')} rows, ${f.first} to ${f.last}`);
    const skipped = summary.skipped.length ? [`Left out (not Plausible's daily figures): ${summary.skipped.join(', ')}`] : [];
    return [`Imported into ${websiteId}:`, ...lines, ...skipped].join('\n');
  } finally {
    await db.close();
  }
}

async function fromUmami(values: Options): Promise<string> {
  let source: ReturnType<typeof parseDatabaseUrl>;
  try {
    source = parseDatabaseUrl(values['database-url']!);
  } catch (error) {
    throw new CliError(error instanceof SourceError ? error.message : String(error));
  }
  const { db, cluster } = await openMigrated();
  try {
    const users = new Users(db);
    const owner = values.owner
      ? await users.findByUsername(values.owner)
      : ((await users.list(1, 1000)).data.filter((user) => user.role === 'admin').sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))[0] ?? null);
    if (!owner) throw new CliError(values.owner ? `No user is named ${values.owner}` : 'No admin user exists: start the collector once first');
    const websites = new Websites(db, cluster);
    const stop = new AbortController();
    process.once('SIGINT', () => {
      process.stdout.write('\nStopping after the chunk in hand; run the same command again to resume.\n');
      stop.abort();
    });
    const started = performance.now();
    const summary = await importUmami(db, {
      source,
      websiteIds: values.website,
      adopt: (website) => websites.adopt(owner.id, website),
      onProgress: progressPrinter(started),
      signal: stop.signal,
      cluster,
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    const sites = summary.websites.map((w) => `  ${w.id}  ${w.name}${w.created ? '' : ' (existed: added to)'}`).join('\n');
    const rate = Math.round(summary.events / Math.max(summary.seconds, 0.001));
    return [
      `${stop.signal.aborted ? 'Interrupted' : 'Imported'} from ${summary.source}, owned by ${owner.username}:`,
      sites || '  (no websites)',
      `${summary.events.toLocaleString('en')} events in ${summary.seconds.toFixed(1)} s (${rate.toLocaleString('en')} events/s); ${summary.daysDone} days were imported before;`,
      `${summary.skipped.toLocaleString('en')} events of other kinds (links, pixels, vitals) left out; ${summary.sessionData.toLocaleString('en')} rows of visitor data.`,
    ].join('\n');
  } finally {
    await db.close();
  }
}

runCli(main);
