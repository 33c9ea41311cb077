/**
 * Where an Umami database is, as ClickHouse reads it: its `postgres://` URL turned into the
 * arguments of ClickHouse's `postgresql()` table function (ClickHouse itself streams the rows:
 * the embedded engine in this process, or the server at CLICKHOUSE_URL, which must then reach the
 * database). Pure, so its parsing and quoting are tested beside it.
 */
export interface UmamiSource {
  /** host:port */
  address: string;
  database: string;
  user: string;
  password: string;
  schema: string;
}

export class SourceError extends Error {}

/** Parses `postgres://user:password@host:port/database[?schema=name]` (also `postgresql://`). */
export function parseDatabaseUrl(text: string): UmamiSource {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceError('--database-url is not a URL: postgres://user:password@host:port/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new SourceError(`--database-url must start with postgres:// (Umami's PostgreSQL database), not ${url.protocol}//`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname || !database) throw new SourceError('--database-url needs a host and a database name: postgres://user:password@host:port/database');
  return {
    address: `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || '5432'}`,
    database,
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    schema: url.searchParams.get('schema') ?? 'public',
  };
}

/** A ClickHouse string literal: backslashes and quotes escaped, so any password or name is data. */
export const stringLiteral = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The table function reading one table of the source (`schema` for information_schema look-ups). */
export function sourceTable(source: UmamiSource, table: string, schema = source.schema): string {
  const args = [source.address, source.database, table, source.user, source.password, schema].map(stringLiteral);
  return `postgresql(${args.join(', ')})`;
}

/** The URL without its password, for messages and the progress record. */
export const describeSource = (source: UmamiSource) => `postgres://${source.user}@${source.address}/${source.database}?schema=${source.schema}`;
