/**
 * The rows of a table for one website and range, and, when filters on the events are given, only
 * those of the visits that had a matching event in the range: how the report tables (vitals,
 * revenue) take the read API's filters. Parameters: websiteId, startAt, endAt (Unix ms).
 */
export function inRangeOfVisits(visitConditions: string): string {
  const visits = visitConditions
    ? ` AND visit_id IN (SELECT visit_id FROM website_event WHERE website_id = {websiteId:UUID}
        AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})${visitConditions})`
    : '';
  return `website_id = {websiteId:UUID}
    AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})${visits}`;
}
