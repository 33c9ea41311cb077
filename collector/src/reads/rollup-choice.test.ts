import { describe, expect, it } from 'vitest';
import { afterReset, buildFilters } from './filters';
import type { Scope } from './query-vocabulary';
import { eventDataSplit, metricSplit, pageviewsSplit, statsSource } from './rollup-choice';

// Which reads the rollups answer and which the events, without the engine.

const day = 86_400_000;

describe('rollup or events (rollup-choice.ts)', () => {
  // No query reaches the engine in these cases: a client that is used fails the test.
  const noEngine = new Proxy({}, { get: () => expect.fail('the engine was asked') }) as never;
  const twoDays = { startAt: Date.UTC(2026, 0, 1, 12), endAt: Date.UTC(2026, 0, 4, 12) };
  const scope = (filters: Record<string, string>, extra: Partial<Scope> = {}): Scope => ({
    websiteId: 'w',
    ...twoDays,
    filter: buildFilters(filters),
    ...extra,
  });
  const builtDay = Date.UTC(2026, 0, 2);
  const oneBuild = async () => new Map([[builtDay, 7]]);

  it('answers stats from daily_stats without filters or with one eq. filter on a session attribute, else from the events', async () => {
    const key = async (filters: Record<string, string>, extra?: Partial<Scope>) => {
      const source = await statsSource(noEngine, scope(filters, extra), oneBuild);
      return source.rollup && { rollup: source.rollup, dimension: source.split.params.dimension, value: source.split.params.dimensionValue };
    };
    expect(await key({})).toEqual({ rollup: 'daily_stats', dimension: '', value: '' });
    expect(await key({ country: 'eq.DE' })).toEqual({ rollup: 'daily_stats', dimension: 'country', value: 'DE' });
    expect(await key({ country: 'c.D' })).toBeNull();
    expect(await key({ country: 'DE', browser: 'firefox' })).toBeNull();
    expect(await key({ hostname: 'a.example' })).toBeNull();
    expect(await key({}, { eventsOnly: true })).toBeNull();
    expect(await statsSource(noEngine, { ...scope({ country: 'DE' }), filter: afterReset(buildFilters({ country: 'DE' }), 1) })).toEqual({ rollup: null });
    // Less than a whole day: nothing to read from a daily rollup.
    expect(await key({}, { endAt: twoDays.startAt + 3600_000 })).toBeNull();
  });

  it('answers stats with one eq. page filter from the built days of the visit rollups, and the rest from the events', async () => {
    const source = await statsSource(noEngine, scope({ path: 'eq./a' }), oneBuild);
    expect(source.rollup).toBe('daily_page_stats');
    if (source.rollup === null) return;
    expect(source.split.params).toMatchObject({ dimension: 'path', dimensionValue: '/a', builtDays: ['2026-01-02'], builds: [7] });
    // The rest: from the start to the built day, and from the day after it to the end.
    expect(source.split.params).toMatchObject({ rest0From: twoDays.startAt, rest0To: builtDay, rest1From: builtDay + day, rest1To: twoDays.endAt + 1 });
    expect(await statsSource(noEngine, scope({ path: 'eq./a' }), async () => new Map())).toEqual({ rollup: null });
    expect(await statsSource(noEngine, scope({ path: 'c./a' }), oneBuild)).toEqual({ rollup: null });
  });

  it('reads series, metrics and event data from their rollups only without filters', () => {
    expect(pageviewsSplit(scope({}), 'day', 'Europe/Berlin')?.params).toMatchObject({ wholeStart: Date.UTC(2026, 0, 1, 12), wholeEnd: twoDays.endAt });
    expect(pageviewsSplit(scope({}), 'minute', 'UTC')).toBeNull();
    expect(pageviewsSplit(scope({}), 'day', 'Asia/Kolkata')).toBeNull();
    expect(pageviewsSplit(scope({ path: '/a' }), 'day', 'UTC')).toBeNull();
    expect(metricSplit(scope({}), 'domain')?.metric).toBe('referrer');
    expect(metricSplit(scope({}), 'entry')?.split.params).toMatchObject({ metric: 'entry', fromDay: '2026-01-02', toDay: '2026-01-03' });
    expect(metricSplit(scope({}), 'exit')).toBeNull();
    expect(metricSplit(scope({ country: 'DE' }), 'path')).toBeNull();
    expect(metricSplit(scope({}, { eventsOnly: true }), 'path')).toBeNull();
    expect(eventDataSplit(scope({}))?.inRollup).toContain('day BETWEEN {fromDay:Date} AND {toDay:Date}');
    expect(eventDataSplit(scope({ event: 'signup' }))).toBeNull();
  });
});
