/**
 * The schema on a ClickHouse cluster (CLICKHOUSE_CLUSTER): the same migrations, each statement
 * rewritten for a cluster.
 *
 * - Event-sized tables (events, rollups, visit rollups) are sharded: `<name>_local` on every node,
 *   `Replicated*MergeTree` under `/clickhouse/tables/{shard}/{database}/<name>_local`, and a
 *   `Distributed` table `<name>` over them, so every read and insert of the application goes
 *   through the names it always used. Events are sharded by session: a session's (and so a
 *   visit's) events live on one shard, so per-visit figures (bounce, duration, entry, exit) are
 *   computed whole on each shard, and one site's reads run on every shard in parallel. Rollup
 *   rows are sharded by website: their aggregate states merge the same wherever they are.
 * - Materialized views are per shard, on the local tables: each shard rolls up what it stores.
 * - Metadata (users, websites, tokens, keys, teams, migrations, builds) is small and read with
 *   FINAL: one copy on every node (`Replicated*` under a path without `{shard}`), read locally.
 * - Backfills (`INSERT … SELECT`) go through the Distributed tables.
 *
 * `replicated: false` is the same layout without replication or ON CLUSTER: the form that runs
 * on one node (the tests run it on chDB with a one-shard cluster in its configuration).
 */
export interface ClusterTopology {
  name: string;
  /** Replicated engines and ON CLUSTER (a real cluster); false: the single-node test form. */
  replicated: boolean;
}

/** Tables sharded across the cluster, with their sharding keys. */
export const shardedTables: Record<string, string> = {
  website_event: 'cityHash64(session_id)',
  session_data: 'cityHash64(session_id)',
  website_performance: 'cityHash64(session_id)',
  // By website: the rows of one order must meet on one shard to be counted once.
  website_revenue: 'cityHash64(website_id)',
  daily_metrics: 'cityHash64(website_id)',
  daily_stats: 'cityHash64(website_id)',
  daily_event_data: 'cityHash64(website_id)',
  daily_custom_events: 'cityHash64(website_id)',
  hourly_pageviews: 'cityHash64(website_id)',
  event_hours: 'cityHash64(website_id)',
  daily_exits: 'cityHash64(website_id)',
  daily_exit_visits: 'cityHash64(website_id)',
  daily_page_stats: 'cityHash64(website_id)',
  daily_page_visits: 'cityHash64(website_id)',
  daily_journeys: 'cityHash64(website_id)',
  daily_journey_visits: 'cityHash64(website_id)',
};

const shardedNames = Object.keys(shardedTables);
const namePattern = new RegExp(`\\b(${shardedNames.join('|')})\\b`, 'g');

/** A sharded table's local part on each node. */
const local = (name: string) => `${name}_local`;

const onCluster = (topology: ClusterTopology) => (topology.replicated ? ` ON CLUSTER ${topology.name}` : '');

/** `MergeTree` → `ReplicatedMergeTree('path', '{replica}')`, keeping the engine's own arguments after those two. */
function replicatedEngine(engine: string, args: string, path: string): string {
  const rest = args.trim() ? `, ${args.trim()}` : '';
  return `Replicated${engine}('${path}', '{replica}'${rest})`;
}

const createTable = /^\s*CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*)\)\s*ENGINE = (\w*MergeTree)(?:\(([^)]*)\))?([\s\S]*)$/;

/** One migration statement as the statements that do the same on the cluster. */
export function clusterStatements(statement: string, topology: ClusterTopology): string[] {
  const on = onCluster(topology);
  const text = statement.trim();

  const table = createTable.exec(text);
  if (table) {
    const [, name, columns, engine, args = '', rest] = table as unknown as [string, string, string, string, string | undefined, string];
    if (!(name in shardedTables)) {
      if (!topology.replicated) return [text];
      return [
        `CREATE TABLE IF NOT EXISTS ${name}${on} (${columns}) ENGINE = ${replicatedEngine(engine, args, `/clickhouse/tables/all/{database}/${name}`)}${rest}`,
      ];
    }
    const localEngine = topology.replicated
      ? replicatedEngine(engine, args, `/clickhouse/tables/{shard}/{database}/${local(name)}`)
      : `${engine}${args ? `(${args})` : ''}`;
    return [
      `CREATE TABLE IF NOT EXISTS ${local(name)}${on} (${columns}) ENGINE = ${localEngine}${rest}`,
      `CREATE TABLE IF NOT EXISTS ${name}${on} AS ${local(name)} ENGINE = Distributed(${topology.name}, currentDatabase(), ${local(name)}, ${shardedTables[name]})`,
    ];
  }

  const alter = /^ALTER TABLE (\w+) ([\s\S]*)$/.exec(text);
  if (alter) {
    const [, name, change] = alter as unknown as [string, string, string];
    if (!(name in shardedTables)) return [`ALTER TABLE ${name}${on} ${change}`];
    const onLocal = `ALTER TABLE ${local(name)}${on} ${change}`;
    // The Distributed table carries the columns too (not indexes).
    return /^(ADD|MODIFY|DROP|RENAME) COLUMN/.test(change) ? [onLocal, `ALTER TABLE ${name}${on} ${change}`] : [onLocal];
  }

  const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS\s+([\s\S]*)$/.exec(text);
  if (view) {
    const [, name, target, select] = view as unknown as [string, string, string, string];
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${name}${on} TO ${local(target)} AS ${select.replace(namePattern, (t) => local(t))}`];
  }

  const dropView = /^DROP VIEW IF EXISTS (\w+)$/.exec(text);
  if (dropView) return [`DROP VIEW IF EXISTS ${dropView[1]!}${on}`];

  const truncate = /^TRUNCATE TABLE (\w+)$/.exec(text);
  if (truncate) {
    const name = truncate[1]!;
    return [`TRUNCATE TABLE ${name in shardedTables ? local(name) : name}${on}`];
  }

  // INSERT … SELECT backfills read and write through the Distributed tables.
  if (/^INSERT INTO /.test(text)) return [text];
  throw new Error(`No cluster form for this migration statement: ${text.slice(0, 80)}`);
}

/** `DELETE FROM <table> WHERE …`: on a cluster, ON CLUSTER, and for a sharded table on its local tables. */
export function deleteFrom(table: string, where: string, topology: ClusterTopology | null): string {
  if (!topology) return `DELETE FROM ${table} WHERE ${where}`;
  return `DELETE FROM ${table in shardedTables ? local(table) : table}${onCluster(topology)} WHERE ${where}`;
}

/** Where a website's pending deletes (mutations) are listed: on every node of a real cluster. */
export function mutationsSource(topology: ClusterTopology | null): string {
  return topology?.replicated ? `clusterAllReplicas(${topology.name}, system.mutations)` : 'system.mutations';
}
