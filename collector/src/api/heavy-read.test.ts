import { describe, expect, it } from 'vitest';
import { isHeavyRead } from './bounded-reads';

/** Which reads run below the others' priority (pure; the effect is measured by npm run bench:readers). */
describe('isHeavyRead', () => {
  const stats = '/api/websites/:websiteId/stats';
  it('is a report that follows visits, or any read under a filter, segment or cohort', () => {
    expect(isHeavyRead('/api/websites/:websiteId/retention', { startAt: 1, endAt: 2 })).toBe(true);
    expect(isHeavyRead('/api/websites/:websiteId/funnels/stats', {})).toBe(true);
    expect(isHeavyRead('/api/websites/:websiteId/metrics/expanded', {})).toBe(true);
    expect(isHeavyRead(stats, { startAt: 1, endAt: 2, country: 'DE', path: 'c.docs' })).toBe(true);
    expect(isHeavyRead(stats, { url: '/pricing' })).toBe(true);
    expect(isHeavyRead(stats, { segment: '5f2b3c1e-0000-4000-8000-000000000000' })).toBe(true);
  });
  it('is not a plain read, nor one whose filters are empty', () => {
    expect(isHeavyRead(stats, { startAt: 1, endAt: 2 })).toBe(false);
    expect(isHeavyRead('/api/websites/:websiteId/metrics', { type: 'path', startAt: 1 })).toBe(false);
    expect(isHeavyRead(stats, { country: '' })).toBe(false);
    expect(isHeavyRead('/api/websites/:websiteId/pageviews', { unit: 'day', timezone: 'UTC' })).toBe(false);
  });
});
