import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { findReportById, findReportByParameter, listReports, writeReport, type ReportRow } from '../storage/saved-reports-table';

/** Umami's share types; only a website's share is served (boards, links and pixels are out of scope). */
export const shareTypes = { website: 1 } as const;

export interface ShareRecord {
  id: string;
  entityId: string;
  /** Who made it (not in the API's answers). */
  userId: string;
  name: string;
  shareType: number;
  slug: string;
  parameters: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const asShare = (row: ReportRow): ShareRecord => {
  const { slug, shareType, parameters } = JSON.parse(row.parameters) as { slug: string; shareType: number; parameters: Record<string, unknown> };
  return {
    id: row.id,
    entityId: row.websiteId,
    userId: row.userId,
    name: row.name,
    shareType,
    slug,
    parameters,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
};

/** 16 URL-safe random characters: a slug nobody guesses. */
export const randomSlug = () => randomBytes(12).toString('base64url');

/** How long an answer of `isLive` is reused: a deleted share stops reading within this. */
const liveTtlMs = 1000;

/**
 * Shares in Umami's current model: several per website, each a named link (`/share/<slug>`) with
 * its own parameters, created, renamed, re-slugged and deleted on their own. Kept with the saved
 * reports (kind `share`, under their website). A website's older single `shareId` keeps working
 * beside them (share-links.ts).
 */
export class ShareRecords {
  readonly #db: ClickHouseClient;
  readonly #live = new Map<string, { live: boolean; until: number }>();

  constructor(db: ClickHouseClient) {
    this.#db = db;
  }

  async list(websiteId: string, page: number, pageSize: number): Promise<{ data: ShareRecord[]; count: number }> {
    const { data, count } = await listReports(this.#db, { websiteId, kind: 'share', search: '', page, pageSize });
    return { data: data.map(asShare), count };
  }

  async byId(id: string): Promise<ShareRecord | null> {
    const row = await findReportById(this.#db, { kind: 'share', id });
    return row ? asShare(row) : null;
  }

  async bySlug(slug: string): Promise<ShareRecord | null> {
    const row = await findReportByParameter(this.#db, { kind: 'share', field: 'slug', value: slug });
    return row ? asShare(row) : null;
  }

  /** True while a share with this slug exists for the website (a share token's check at every read). */
  async isLive(websiteId: string, slug: string): Promise<boolean> {
    const key = `${websiteId}/${slug}`;
    const cached = this.#live.get(key);
    if (cached && cached.until > Date.now()) return cached.live;
    const share = await this.bySlug(slug);
    const live = share !== null && share.entityId === websiteId;
    if (this.#live.size > 10_000) this.#live.clear();
    this.#live.set(key, { live, until: Date.now() + liveTtlMs });
    return live;
  }

  async create(share: {
    entityId: string;
    userId: string;
    name: string;
    slug: string;
    shareType: number;
    parameters: Record<string, unknown>;
  }): Promise<ShareRecord> {
    const at = new Date().toISOString();
    const row = this.#row({ id: randomUUID(), ...share, createdAt: at, updatedAt: at });
    await writeReport(this.#db, row);
    return asShare(row);
  }

  async update(share: ShareRecord, change: { name: string; slug: string; parameters: Record<string, unknown> }): Promise<ShareRecord> {
    const updated = { ...share, ...change, updatedAt: new Date().toISOString() };
    await writeReport(this.#db, this.#row(updated));
    this.#live.clear();
    return updated;
  }

  async delete(share: ShareRecord): Promise<void> {
    await writeReport(this.#db, this.#row(share), true);
    this.#live.clear();
  }

  #row(share: ShareRecord): ReportRow {
    return {
      id: share.id,
      websiteId: share.entityId,
      userId: share.userId,
      kind: 'share',
      name: share.name,
      description: '',
      parameters: JSON.stringify({ slug: share.slug, shareType: share.shareType, parameters: share.parameters }),
      createdAt: share.createdAt,
      updatedAt: share.updatedAt,
    };
  }
}
