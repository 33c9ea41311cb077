import type { ClickHouseClient } from '@clickhouse/client';
import { expect } from 'vitest';
import { customEventStats } from '../collector/src/reads/data-reads';
import { buildFilters } from '../collector/src/reads/filters';
import { queryEventDataEvents, queryEventDataProperties } from '../collector/src/reads/listing-queries';
import { metricTypes, queryMetric } from '../collector/src/reads/metric-query';
import { queryPageviews } from '../collector/src/reads/pageviews-query';
import type { Scope } from '../collector/src/reads/query-vocabulary';
import { customEventsSplit, statsSource } from '../collector/src/reads/rollup-choice';
import { queryStats } from '../collector/src/reads/stats-query';
import { wholeDaysOf } from '../collector/src/reads/whole-days';
import { expectSamePoints, expectSameStats, expectSameVisitors } from './same-answers';

/**
 * The answers the rollups give for `range` equal those computed from the events (visitor
 * estimates as `expectSameVisitors` says): stats (also with one session filter), every metric,
 * the pageviews series in several timezones, event data, and the custom events' figures.
 */
export async function expectRollupsMatchEvents(db: ClickHouseClient, range: Scope): Promise<void> {
  const stats = await queryStats(db, range);
  expect(stats.pageviews).toBeGreaterThan(0);
  expectSameStats('stats', stats, await queryStats(db, { ...range, eventsOnly: true }));
  // One eq. filter on a session attribute reads the rollup's rows for that value.
  for (const filters of [{ country: 'DE' }, { browser: 'eq.firefox' }, { city: '' }, { os: 'Linux' }]) {
    const filtered = { ...range, filter: buildFilters(filters) };
    expect((await statsSource(db, filtered)).rollup).toBe(wholeDaysOf(range) ? 'daily_stats' : null);
    expectSameStats(JSON.stringify(filters), await queryStats(db, filtered), await queryStats(db, { ...filtered, eventsOnly: true }));
  }
  for (const type of metricTypes) {
    const options = { limit: 1000, offset: 0 };
    expectSamePoints(type, await queryMetric(db, range, type, options), await queryMetric(db, { ...range, eventsOnly: true }, type, options));
  }
  for (const timezone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
    for (const unit of ['hour', 'day', 'month'] as const) {
      const label = `${timezone} ${unit}`;
      const series = await queryPageviews(db, range, unit, timezone);
      const fromEvents = await queryPageviews(db, { ...range, eventsOnly: true }, unit, timezone);
      expect({ label, pageviews: series.pageviews }).toEqual({ label, pageviews: fromEvents.pageviews });
      expectSamePoints(`${label} sessions`, series.sessions, fromEvents.sessions);
    }
  }
  for (const event of [undefined, 'signup']) {
    const properties = await queryEventDataProperties(db, range, event);
    expect(properties.length).toBeGreaterThan(0);
    expect(properties).toEqual(await queryEventDataProperties(db, { ...range, eventsOnly: true }, event));
    expect(await queryEventDataEvents(db, range, event)).toEqual(await queryEventDataEvents(db, { ...range, eventsOnly: true }, event));
  }
  // Custom event figures (events stats) from daily_custom_events.
  const split = customEventsSplit(range);
  expect(split !== null).toBe(wholeDaysOf(range) !== null);
  const { visitors, visits, ...sums } = await customEventStats(db, range, split);
  const fromEvents = await customEventStats(db, range);
  expect(sums.events).toBeGreaterThan(0);
  expect(sums).toEqual({ events: fromEvents.events, uniqueEvents: fromEvents.uniqueEvents });
  expectSameVisitors('events stats visitors', visitors, fromEvents.visitors);
  expectSameVisitors('events stats visits', visits, fromEvents.visits);
}
