import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { writeRecord } from './versioned-records';

/** A website's stored counting rules: the JSON the API wrote, and when. */
export interface StoredRules {
  rules: string;
  updatedAt: string;
}

/** The newest rules of a website, or null when none were ever saved. */
export async function readIngestRules(db: ClickHouseClient, websiteId: string): Promise<StoredRules | null> {
  const [row] = await rows<StoredRules>(
    db,
    'SELECT rules, updated_at AS updatedAt FROM website_ingest_rules FINAL WHERE website_id = toUUIDOrZero({websiteId:String}) LIMIT 1',
    { websiteId },
  );
  return row ?? null;
}

/** Saves a website's rules (JSON) as its newest version. */
export async function writeIngestRules(db: ClickHouseClient, websiteId: string, rules: string, at: number): Promise<void> {
  await writeRecord(db, 'website_ingest_rules', { website_id: websiteId, rules, updated_at: at }, at);
}
