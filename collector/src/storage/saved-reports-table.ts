import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { writeRecord } from './versioned-records';

/** A saved report of a website (a goal, a funnel) as stored; `parameters` is JSON. */
export interface ReportRow {
  id: string;
  websiteId: string;
  userId: string;
  kind: string;
  name: string;
  description: string;
  parameters: string;
  createdAt: string;
  updatedAt: string;
}

const select = `SELECT toString(id) AS id, toString(website_id) AS websiteId, toString(user_id) AS userId, kind, name, description, parameters,
  created_at AS createdAt, updated_at AS updatedAt FROM website_reports FINAL`;

/** A website's saved reports of one kind, newest first; `search` narrows by name. */
export async function listReports(
  db: ClickHouseClient,
  { websiteId, kind, search, page, pageSize }: { websiteId: string; kind: string; search: string; page: number; pageSize: number },
): Promise<{ data: ReportRow[]; count: number }> {
  const where = `WHERE deleted = 0 AND website_id = toUUIDOrZero({websiteId:String}) AND kind = {kind:String}
    AND ({search:String} = '' OR positionCaseInsensitiveUTF8(name, {search:String}) > 0)`;
  const params = { websiteId, kind, search, limit: String(pageSize), offset: String((page - 1) * pageSize) };
  const [data, total] = await Promise.all([
    rows<ReportRow>(db, `${select} ${where} ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`, params),
    rows<{ n: number }>(db, `SELECT count() AS n FROM website_reports FINAL ${where}`, params),
  ]);
  return { data, count: total[0]?.n ?? 0 };
}

export async function findReport(db: ClickHouseClient, { websiteId, kind, id }: { websiteId: string; kind: string; id: string }): Promise<ReportRow | null> {
  const [row] = await rows<ReportRow>(
    db,
    `${select} WHERE deleted = 0 AND website_id = toUUIDOrZero({websiteId:String}) AND kind = {kind:String} AND id = {id:String} LIMIT 1`,
    { websiteId, kind, id },
  );
  return row ?? null;
}

export async function writeReport(db: ClickHouseClient, report: ReportRow, deleted = false): Promise<void> {
  await writeRecord(db, 'website_reports', {
    id: report.id,
    website_id: report.websiteId,
    user_id: report.userId,
    kind: report.kind,
    name: report.name,
    description: report.description,
    parameters: report.parameters,
    created_at: Date.parse(report.createdAt),
    updated_at: Date.parse(report.updatedAt),
    deleted: deleted ? 1 : 0,
  });
}

/** A saved record of one kind by a text field of its parameters (a share's slug), whichever website it belongs to. */
export async function findReportByParameter(
  db: ClickHouseClient,
  { kind, field, value }: { kind: string; field: string; value: string },
): Promise<ReportRow | null> {
  const [row] = await rows<ReportRow>(
    db,
    `${select} WHERE deleted = 0 AND kind = {kind:String} AND JSONExtractString(parameters, {field:String}) = {value:String} ORDER BY created_at LIMIT 1`,
    { kind, field, value },
  );
  return row ?? null;
}

/** A saved record of one kind by its id, whichever website it belongs to. */
export async function findReportById(db: ClickHouseClient, { kind, id }: { kind: string; id: string }): Promise<ReportRow | null> {
  const [row] = await rows<ReportRow>(db, `${select} WHERE deleted = 0 AND kind = {kind:String} AND id = {id:String} LIMIT 1`, { kind, id });
  return row ?? null;
}
