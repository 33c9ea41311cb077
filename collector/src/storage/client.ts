import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { createChdbConnection, type ChdbExtension } from 'chdb/connection';
import type { Config } from '../config';
import { defaultEngineConnections } from '../engine-connection-count';
import { EngineConnections } from './engine-connections';

type ClientOptions = NonNullable<Parameters<typeof createClient>[0]>;

// The same JSON shapes from both engines: 64-bit integers as numbers (our counts stay far below 2^53).
const settings = { output_format_json_quote_64bit_integers: 0, date_time_output_format: 'iso' } as const;

/** The rows a query answers, as objects (JSONEachRow). */
export async function rows<T>(db: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await db.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

/** What stands behind a client openStorage made on the embedded engine: the inserts' raw entry points and the statements' connections. */
const embedded = new WeakMap<ClickHouseClient, { inserts: ChdbExtension; connections: EngineConnections }>();

/**
 * chDB's own entry points behind a client on the embedded engine, or undefined for a server.
 * Its raw insert hands a batch's bytes to the engine as they are, where the client's insert
 * sends them inside the statement's text, which the engine then copies and scans as SQL: that
 * took two thirds of the engine's CPU per event (npm run bench:engine).
 */
export function embeddedEngine(db: ClickHouseClient): ChdbExtension | undefined {
  return embedded.get(db)?.inserts;
}

/** How many statements the embedded engine's connections have in flight (sent, not yet answered); 0 on a server. */
export function statementsInFlight(db: ClickHouseClient): number {
  return embedded.get(db)?.connections.inFlight ?? 0;
}

/**
 * Opens ClickHouse: the embedded engine (chDB) under DATA_DIR by default, or a server when
 * CLICKHOUSE_URL is set. Both are reached through @clickhouse/client, so the SQL is the same.
 */
export async function openStorage(
  config: Pick<Config, 'dataDir' | 'clickhouse'> & { backupDir?: string; engineConnections?: number },
): Promise<ClickHouseClient> {
  if (!config.clickhouse) {
    const path = join(config.dataDir, 'clickhouse');
    mkdirSync(path, { recursive: true });
    // The first connection to a data directory sets the engine's arguments for all of them: this
    // one only lets BACKUP and RESTORE use the backup directory (ClickHouse refuses any path
    // without `backups.allowed_path`), and stays open as long as the client.
    const engine = new Session(path, { connectionArgs: config.backupDir ? [`--backups.allowed_path=${config.backupDir}`] : [] });
    // chdb/connection ignores the client's `database` option, so the embedded engine uses `default`.
    // chdb bundles its own copy of @clickhouse/client-common; the interface is the same at run time.
    // Statements run side by side on several connections (see EngineConnections).
    const chdb = new EngineConnections(path, config.engineConnections ?? defaultEngineConnections);
    // Batch inserts go through a connection of their own to the same engine: the engine runs one
    // statement at a time per connection, so a read sharing the inserts' connection waited for
    // the insert in progress, and under load every read paid for one (npm run bench -- --mixed).
    const inserts = createChdbConnection({ path });
    const client = createClient({ connection: chdb as unknown as ClientOptions['connection'], clickhouse_settings: settings });
    const closeClient = client.close.bind(client);
    client.close = async () => {
      await closeClient();
      await inserts.close();
      engine.close();
    };
    embedded.set(client, { inserts: inserts.chdb, connections: chdb });
    return client;
  }
  const { url, user, password, database } = config.clickhouse;
  const bootstrap = createClient({ url, username: user, password });
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } finally {
    await bootstrap.close();
  }
  // On a cluster, an insert into a Distributed table answers once the shards have the rows (not
  // when they are queued on this node), so the spool deletes only what the shards hold.
  const clusterSettings = config.clickhouse.cluster ? { distributed_foreground_insert: 1 } : {};
  return createClient({ url, username: user, password, database, clickhouse_settings: { ...settings, ...clusterSettings } });
}
