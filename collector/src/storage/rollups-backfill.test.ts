import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { expectSamePoints, expectSameStats } from '../../../test-support/same-answers';
import { metricTypes, queryMetric } from '../reads/metric-query';
import type { Scope } from '../reads/query-vocabulary';
import { queryStats } from '../reads/stats-query';
import { buildFilters } from '../reads/filters';
import { openStorage } from './client';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { dailyRollups } from './shipped/0005-daily-rollups';
import { removeTempDir } from '../../../test-support/temp-dir';

/**
 * A data directory from before the rollups: its events are stored when migration 5 runs, so the
 * migration's backfill (not the materialized views) must build the rollups, and running it again
 * (a start interrupted half-way through it) must not count anything twice.
 */
const dir = mkdtempSync(join(tmpdir(), 'collector-backfill-'));
let db: ClickHouseClient;
const site = randomUUID();
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;
const scope: Scope = { websiteId: site, startAt: today - 9 * day - 4321, endAt: Date.now(), filter: buildFilters({}) };

beforeAll(async () => {
  db = await openStorage({ dataDir: dir, clickhouse: null });
  await migrate(
    db,
    migrations.filter((m) => m.version <= 4),
  );
  await seedEvents(db, site, { events: 20_000, days: 12, now: today - 3600_000, reportTables: false });
});
afterAll(async () => {
  await db?.close();
  removeTempDir(dir);
});

async function expectRollupsToMatchEvents(): Promise<void> {
  const stats = await queryStats(db, scope);
  expect(stats.pageviews).toBeGreaterThan(1000);
  expectSameStats('stats', stats, await queryStats(db, { ...scope, eventsOnly: true }));
  for (const type of metricTypes) {
    const options = { limit: 1000, offset: 0 };
    expectSamePoints(type, await queryMetric(db, scope, type, options), await queryMetric(db, { ...scope, eventsOnly: true }, type, options));
  }
}

describe('migration 5 on stored events', () => {
  it('builds the rollups from the events already stored', async () => {
    expect(await migrate(db)).toContain(5);
    await expectRollupsToMatchEvents();
  });

  it('builds them once when its statements run again, and the views then keep them current', async () => {
    for (const statement of dailyRollups) await db.command({ query: statement });
    await expectRollupsToMatchEvents();
    await seedEvents(db, site, { events: 2_000, days: 3, now: today - 7200_000, reportTables: false });
    await expectRollupsToMatchEvents();
  });
});
