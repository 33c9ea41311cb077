import { eventType } from '../shared/event-types';

/**
 * The tables a visit rollup build fills, and how. Each build covers a span of whole UTC days and
 * writes, under its build id, two kinds of rows per day:
 * - per value, sums over the visits lying wholly inside the day (daily_exits, daily_page_stats);
 * - per visit that also has pageviews on another day (it crossed midnight), what it did that day
 *   (daily_exit_visits, daily_page_visits), which queries combine with the visit's other days.
 *   The collector's own visits never cross midnight (session ids change with the UTC day);
 *   seeded and imported ones may.
 */

/**
 * The page attributes whose `eq.` filter on stats is answered from daily_page_stats: filter name
 * → column. Umami's dashboard sets such a filter when a row of its pages, titles or referrers
 * tables is clicked.
 */
export const pageStatsDimensions = { path: 'url_path', title: 'page_title', referrer: 'referrer_domain' } as const;

export type PageStatsDimension = keyof typeof pageStatsDimensions;

const dimensionNames = `[${Object.keys(pageStatsDimensions)
  .map((name) => `'${name}'`)
  .join(', ')}]`;
const dimensionValues = `[${Object.values(pageStatsDimensions).join(', ')}]`;

export const visitRollupTables = [
  'daily_exits',
  'daily_exit_visits',
  'daily_page_stats',
  'daily_page_visits',
  'daily_journeys',
  'daily_journey_visits',
] as const;

// The tables' DDL is migration 7's SQL (shipped/0007-visit-rollups.ts), and migration 18's for the journeys.

/** The steps a journey keeps of each visit: Umami's journeys go up to 7. */
export const journeySteps = 7;

/** A journey's step: a custom event's name, else the page's path. */
export const journeyStep = "if(event_name != '', event_name, url_path)";

/**
 * Each visit with a pageview between scanFrom and scanTo (the span and a day beyond it on each
 * side): its session, its last path, and the first and last day of its pageviews.
 */
const visits = `SELECT website_id, visit_id, any(session_id) AS session_id, argMax(url_path, created_at) AS path,
    toDate(min(created_at)) AS first_day, toDate(max(created_at)) AS last_day
  FROM website_event
  WHERE event_type = ${eventType.pageview} AND created_at >= fromUnixTimestamp64Milli({scanFrom:Int64}) AND created_at < fromUnixTimestamp64Milli({scanTo:Int64})
  GROUP BY website_id, visit_id`;

const inSpan = `event_type = ${eventType.pageview} AND created_at >= fromUnixTimestamp64Milli({from:Int64}) AND created_at < fromUnixTimestamp64Milli({to:Int64})`;
const firstDayInSpan = `first_day >= toDate(fromUnixTimestamp64Milli({from:Int64})) AND first_day < toDate(fromUnixTimestamp64Milli({to:Int64}))`;
const crossing = `(website_id, visit_id) IN (SELECT website_id, visit_id FROM (${visits}) WHERE first_day != last_day)`;

/** Each visit with any event between scanFrom and scanTo: its first 7 steps, and the first and last day of its events. */
const journeyVisits = `SELECT website_id, visit_id, toDate(min(created_at)) AS first_day, toDate(max(created_at)) AS last_day,
    arraySlice(arrayMap(e -> e.2, arraySort(groupArray((created_at, ${journeyStep})))), 1, ${journeySteps}) AS path
  FROM website_event
  WHERE created_at >= fromUnixTimestamp64Milli({scanFrom:Int64}) AND created_at < fromUnixTimestamp64Milli({scanTo:Int64})
  GROUP BY website_id, visit_id`;
const journeyCrossing = `(website_id, visit_id) IN (SELECT website_id, visit_id FROM (${journeyVisits}) WHERE first_day != last_day)`;

/** The INSERTs of one build. Parameters: from, to (the span, Unix ms), scanFrom, scanTo (a day beyond it on each side), build. */
export const buildInserts = [
  `INSERT INTO daily_exits
    SELECT website_id, first_day AS day, {build:UInt64}, path, uniqCombinedState(12)(session_id)
    FROM (${visits}) WHERE first_day = last_day AND ${firstDayInSpan}
    GROUP BY website_id, day, path`,
  `INSERT INTO daily_exit_visits
    SELECT website_id, toDate(created_at) AS day, {build:UInt64}, visit_id, any(session_id), argMax(url_path, created_at), max(created_at)
    FROM website_event WHERE ${inSpan} AND ${crossing}
    GROUP BY website_id, day, visit_id`,
  `INSERT INTO daily_page_stats
    SELECT website_id, day, {build:UInt64}, dimension, value, sum(views), count(), countIf(views = 1), sum(last_second - first_second),
      uniqCombinedState(17)(session_id), uniqCombinedState(12)(session_id)
    FROM (
      SELECT website_id, cityHash64(visit_id) AS visit, dimension, value, any(session_id) AS session_id, count() AS views,
        toDate(min(created_at)) AS day, min(toUInt32(created_at)) AS first_second, max(toUInt32(created_at)) AS last_second
      FROM website_event ARRAY JOIN ${dimensionNames} AS dimension, ${dimensionValues} AS value
      WHERE ${inSpan} AND NOT ${crossing}
      GROUP BY website_id, visit, dimension, value
    )
    GROUP BY website_id, day, dimension, value`,
  `INSERT INTO daily_page_visits
    SELECT website_id, toDate(created_at) AS day, {build:UInt64}, dimension, value, visit_id, any(session_id), count(),
      min(toUInt32(created_at)), max(toUInt32(created_at))
    FROM website_event ARRAY JOIN ${dimensionNames} AS dimension, ${dimensionValues} AS value
    WHERE ${inSpan} AND ${crossing}
    GROUP BY website_id, day, dimension, value, visit_id`,
  `INSERT INTO daily_journeys
    SELECT website_id, first_day AS day, {build:UInt64}, steps, arraySlice(path, 1, steps) AS prefix, count()
    FROM (${journeyVisits}) ARRAY JOIN range(2, ${journeySteps + 1}) AS steps
    WHERE first_day = last_day AND ${firstDayInSpan}
    GROUP BY website_id, day, steps, prefix`,
  `INSERT INTO daily_journey_visits
    SELECT website_id, toDate(created_at) AS day, {build:UInt64}, visit_id,
      arraySlice(arraySort(groupArray((created_at, ${journeyStep}))), 1, ${journeySteps})
    FROM website_event
    WHERE created_at >= fromUnixTimestamp64Milli({from:Int64}) AND created_at < fromUnixTimestamp64Milli({to:Int64}) AND ${journeyCrossing}
    GROUP BY website_id, day, visit_id`,
];
