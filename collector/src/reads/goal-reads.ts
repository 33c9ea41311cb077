import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

export interface GoalQuery extends FilteredRange {
  /**
   * A page (pageviews of a path), a custom event, or a custom event whose data holds a property
   * with a value (`property`); `value` exact or a LIKE pattern (the page or the event's name).
   */
  goal: { type: 'path' | 'event'; value: string; pattern: boolean; property?: { name: string; value: string } };
}

/** A top-level property of an event's data as text: a string as itself, a number or boolean as JSON writes it. */
const propertyText = `multiIf(JSONType(event_data, {property:String}) = 'String', JSONExtractString(event_data, {property:String}),
  JSONExtractRaw(event_data, {property:String}))`;

/**
 * Umami's goal figures: `num`, the visitors (sessions) with a pageview of the path or the custom
 * event in the range (with the property's value, for a property goal), and `total`, every
 * visitor of the range (both under the filters).
 */
export async function goalReached(db: ClickHouseClient, query: GoalQuery): Promise<{ num: number; total: number }> {
  const column = query.goal.type === 'path' ? 'url_path' : 'event_name';
  const type = query.goal.type === 'path' ? eventType.pageview : eventType.custom;
  const property = query.goal.property ? ` AND ${propertyText} = {propertyValue:String}` : '';
  const [row] = await rows<{ num: number; total: number }>(
    db,
    `SELECT uniqExactIf(session_id, event_type = ${type} AND ${column} ${query.goal.pattern ? 'LIKE' : '='} {goal:String}${property}) AS num,
       uniqExact(session_id) AS total
     FROM website_event
     WHERE ${inFilteredRange}${query.filter.sql}`,
    {
      ...paramsOf(query),
      goal: query.goal.value,
      property: query.goal.property?.name ?? '',
      propertyValue: query.goal.property?.value ?? '',
    },
  );
  return { num: row?.num ?? 0, total: row?.total ?? 0 };
}
