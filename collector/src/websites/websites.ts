import { randomUUID } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { DateText, Nullable } from '../shared/schema';
import { mutationsSource, type ClusterTopology } from '../storage/cluster-ddl';
import { InFlight } from '../storage/in-flight';
import type { ClickHouseClient } from '@clickhouse/client';
import { teamIdsOfUser } from '../teams/teams';
import { removeWebsiteData } from '../storage/website-data';
import { ApiError } from '../errors';
import { oneAtATime } from '../shared/one-at-a-time';
import { rows } from '../storage/client';
import { writeRecord } from '../storage/versioned-records';

/** A website in Umami's shape. */
export const WebsiteSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Type.String(),
  /** The public read-only link's id (`/#/share/<shareId>`), or null when sharing is off. */
  shareId: Nullable(Type.String()),
  resetAt: Nullable(DateText),
  /** Ours: months of data kept (older days are deleted in the background); 0 keeps everything. */
  retentionMonths: Type.Integer({ minimum: 0 }),
  /** The owner: a user, or null when a team owns the website. */
  userId: Nullable(Type.String()),
  teamId: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: DateText,
  updatedAt: DateText,
  deletedAt: Type.Null(),
});
export type Website = Static<typeof WebsiteSchema>;

/** A website as a share link's reader sees it: without who owns it (user and team ids). */
export const SharedWebsiteSchema = Type.Omit(WebsiteSchema, ['userId', 'teamId', 'createdBy']);

/** The website without its owners' ids, for a share link's reader. */
export const sharedView = ({ userId: _user, teamId: _team, createdBy: _creator, ...rest }: Website) => rest;

interface Row {
  id: string;
  name: string;
  domain: string;
  /** Who created it (user_id); the owner unless a team owns it. */
  createdBy: string;
  teamId: string | null;
  shareId: string | null;
  createdAt: string;
  updatedAt: string;
  resetAt: string | null;
  retentionMonths: number;
}

const toWebsite = ({ createdBy, teamId, ...row }: Row): Website => ({
  ...row,
  userId: teamId === null ? createdBy : null,
  teamId,
  createdBy,
  deletedAt: null,
});

const select = `SELECT id, name, domain, toString(user_id) AS createdBy, share_id AS shareId, if(team_id IS NULL, NULL, toString(team_id)) AS teamId,
  created_at AS createdAt, updated_at AS updatedAt, reset_at AS resetAt, retention_months AS retentionMonths FROM websites FINAL WHERE deleted = 0`;

// Known ids are rechecked after a minute; unknown ones after 10 s, so garbage ids cost little.
const knownTtlMs = 60_000;
const unknownTtlMs = 10_000;
const cacheLimit = 50_000;
const removingTtlMs = 1000;

/** Websites, kept in ClickHouse, with a small cache of which ids exist for the beacon's hot path. */
export class Websites {
  readonly #exists = new Map<string, { live: boolean; until: number }>();
  readonly #reads = new InFlight<Website | null>();

  constructor(
    private readonly db: ClickHouseClient,
    /** On a cluster, deletes run on each shard's local tables (see cluster-ddl.ts). */
    private readonly cluster: ClusterTopology | null = null,
  ) {}

  /** A new website of the user's, or of `teamId` (created by the user). */
  async create(userId: string, name: string, domain: string, teamId: string | null = null): Promise<Website> {
    const at = new Date().toISOString();
    const website = toWebsite({
      id: randomUUID(),
      name,
      domain,
      createdBy: userId,
      teamId,
      shareId: null,
      createdAt: at,
      updatedAt: at,
      resetAt: null,
      retentionMonths: 0,
    });
    await this.#write(website);
    this.#exists.set(website.id, { live: true, until: Date.now() + knownTtlMs });
    return website;
  }

  /**
   * A website brought from another tool (an import), under its own id and creation time, owned
   * by `userId`. One that exists already is kept as it is (an import run again), and answered.
   */
  async adopt(userId: string, from: { id: string; name: string; domain: string; createdAt: string }): Promise<{ website: Website; created: boolean }> {
    const existing = await this.get(from.id);
    if (existing) return { website: existing, created: false };
    const website = toWebsite({
      ...from,
      createdBy: userId,
      teamId: null,
      shareId: null,
      updatedAt: new Date().toISOString(),
      resetAt: null,
      retentionMonths: 0,
    });
    await this.#write(website);
    this.#exists.set(website.id, { live: true, until: Date.now() + knownTtlMs });
    return { website, created: true };
  }

  async #write(website: Website, deleted = false): Promise<void> {
    await writeRecord(this.db, 'websites', {
      id: website.id,
      name: website.name,
      domain: website.domain,
      user_id: website.userId ?? website.createdBy,
      team_id: website.teamId,
      share_id: website.shareId,
      created_at: Date.parse(website.createdAt),
      updated_at: Date.parse(website.updatedAt),
      reset_at: website.resetAt === null ? null : Date.parse(website.resetAt),
      retention_months: website.retentionMonths,
      deleted: deleted ? 1 : 0,
    });
    this.#reads.forget();
  }

  /** The websites that keep their data for a limited time (the retention job's list). */
  async withRetention(): Promise<{ id: string; retentionMonths: number }[]> {
    return rows(this.db, 'SELECT toString(id) AS id, retention_months AS retentionMonths FROM websites FINAL WHERE deleted = 0 AND retention_months > 0');
  }

  /** Gives the website to a user or a team. */
  async transfer(website: Website, to: { userId: string } | { teamId: string }): Promise<Website> {
    const updated: Website = {
      ...website,
      ...('userId' in to ? { userId: to.userId, teamId: null, createdBy: to.userId } : { userId: null, teamId: to.teamId }),
      updatedAt: new Date().toISOString(),
    };
    await this.#write(updated);
    return updated;
  }

  /**
   * Changes a website. A share id is one website's: taking one that another website has is
   * refused (409); changes that set one run one at a time, so two cannot take the same id at once.
   */
  async update(website: Website, changes: { name?: string; domain?: string; shareId?: string | null; retentionMonths?: number }): Promise<Website> {
    const write = async () => {
      const updated = { ...website, updatedAt: new Date().toISOString() };
      if (changes.name !== undefined) updated.name = changes.name;
      if (changes.domain !== undefined) updated.domain = changes.domain;
      if (changes.shareId !== undefined) updated.shareId = changes.shareId;
      if (changes.retentionMonths !== undefined) updated.retentionMonths = changes.retentionMonths;
      await this.#write(updated);
      return updated;
    };
    const { shareId } = changes;
    if (shareId === undefined || shareId === null || shareId === website.shareId) return write();
    return this.#shareIdChanges(async () => {
      if ((await this.#sharedUnder(shareId)).some((other) => other.id !== website.id)) throw new ApiError('shareIdTaken');
      return write();
    });
  }

  readonly #shareIdChanges = oneAtATime();

  /** Every website shared under `shareId` (more than one only if collectors raced to set it). */
  async #sharedUnder(shareId: string): Promise<Website[]> {
    return (await rows<Row>(this.db, `${select} AND share_id = {shareId:String} LIMIT 2`, { shareId })).map(toWebsite);
  }

  /**
   * Drops every event of a website, keeping the website. Answers at once: `resetAt` is written
   * first, and while ClickHouse removes the rows in the background the read API hides every event
   * up to it (see `removing`).
   */
  async reset(website: Website): Promise<Website> {
    const now = new Date().toISOString();
    const updated = { ...website, resetAt: now, updatedAt: now };
    await this.#write(updated);
    await this.#removeData(website.id);
    return updated;
  }

  /** Deletes a website at once (it answers 404, its events are refused); ClickHouse removes its data in the background. */
  async delete(website: Website): Promise<void> {
    await this.#write(website, true);
    this.#exists.set(website.id, { live: false, until: Date.now() + knownTtlMs });
    await this.#removeData(website.id);
  }

  /** Deletes the website's rows from the events and the rollups (in the background: see removeWebsiteData). */
  async #removeData(websiteId: string): Promise<void> {
    await removeWebsiteData(this.db, websiteId, this.cluster);
    this.#removing.delete(websiteId);
  }

  /** Websites whose deletes were found done, until when that answer is trusted. */
  readonly #removing = new Map<string, { until: number }>();

  /**
   * True while ClickHouse is still deleting rows of the website (after a reset or a delete), by
   * its pending mutations. "Done" is remembered for a second; "pending" is looked up each time,
   * so the old rows show again nowhere and the hiding ends as soon as they are gone.
   */
  async removing(websiteId: string): Promise<boolean> {
    const done = this.#removing.get(websiteId);
    if (done && done.until > Date.now()) return false;
    const [mutations] = await rows<{ n: number }>(
      this.db,
      `SELECT count() AS n FROM ${mutationsSource(this.cluster)} WHERE NOT is_done AND database = currentDatabase() AND position(command, '${websiteId}') > 0`,
    );
    const pending = (mutations?.n ?? 0) > 0;
    if (!pending) {
      if (this.#removing.size > cacheLimit) this.#removing.clear();
      this.#removing.set(websiteId, { until: Date.now() + removingTtlMs });
    }
    return pending;
  }

  /**
   * The website shared under `shareId`, or null: none, sharing turned off, or (should collectors
   * sharing a database ever have raced to set the same id) more than one, since a link must never
   * show a website other than the one its owner shared.
   */
  async byShareId(shareId: string): Promise<Website | null> {
    const found = await this.#sharedUnder(shareId);
    return found.length === 1 ? found[0]! : null;
  }

  /** A website by id; identical look-ups running at once share one query (see InFlight). */
  get(id: string): Promise<Website | null> {
    return this.#reads.get(id, async () => {
      const [row] = await rows<Row>(this.db, `${select} AND id = toUUIDOrZero({id:String}) LIMIT 1`, { id });
      return row ? toWebsite(row) : null;
    });
  }

  /**
   * One page of websites, newest first: every website (`owner` null), a user's own (`userId`),
   * with `includeTeams` also those of the user's teams, or a team's (`teamId`).
   */
  async list(
    owner: { userId: string; includeTeams?: boolean } | { teamId: string } | null,
    page: number,
    pageSize: number,
  ): Promise<{ data: Website[]; count: number }> {
    const ownedBy =
      owner === null
        ? ''
        : 'teamId' in owner
          ? ' AND team_id = toUUIDOrZero({teamId:String})'
          : owner.includeTeams
            ? ` AND ((team_id IS NULL AND user_id = toUUID({userId:String})) OR team_id IN (${teamIdsOfUser}))`
            : ' AND team_id IS NULL AND user_id = toUUID({userId:String})';
    const params = {
      userId: owner !== null && 'userId' in owner ? owner.userId : '',
      teamId: owner !== null && 'teamId' in owner ? owner.teamId : '',
      limit: String(pageSize),
      offset: String((page - 1) * pageSize),
    };
    const [found, total] = await Promise.all([
      rows<Row>(this.db, `${select}${ownedBy} ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`, params),
      rows<{ n: number }>(this.db, `SELECT count() AS n FROM websites FINAL WHERE deleted = 0${ownedBy}`, params),
    ]);
    return { data: found.map(toWebsite), count: total[0]?.n ?? 0 };
  }

  /** Whether events for this id are accepted; answered from the cache when it can. */
  async accepts(id: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.#exists.get(id);
    if (cached && cached.until > now) return cached.live;
    let live: boolean;
    try {
      const [found] = await rows<{ n: number }>(this.db, 'SELECT count() AS n FROM websites FINAL WHERE deleted = 0 AND id = toUUIDOrZero({id:String})', {
        id,
      });
      live = (found?.n ?? 0) > 0;
    } catch (error) {
      // Storage away: a website known to be live a moment ago still is (its beacons go to the spool).
      if (cached?.live) return true;
      throw error;
    }
    if (this.#exists.size >= cacheLimit) this.#exists.clear();
    this.#exists.set(id, { live, until: now + (live ? knownTtlMs : unknownTtlMs) });
    return live;
  }
}
