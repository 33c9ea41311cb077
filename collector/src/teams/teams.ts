import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { Type, type Static } from 'typebox';
import { DateText, StringEnum } from '../shared/schema';
import { rows } from '../storage/client';
import { writeRecord } from '../storage/versioned-records';

/** Umami's team roles, strongest first. */
export const teamRoles = ['team-owner', 'team-manager', 'team-member', 'team-view-only'] as const;
export type TeamRole = (typeof teamRoles)[number];

/** What each team role may do (Umami's permissions). */
export const teamCan = {
  /** Rename the team, change its access code, add, change and remove members. */
  manage: (role: TeamRole | null) => role === 'team-owner' || role === 'team-manager',
  /** Delete the team. */
  delete: (role: TeamRole | null) => role === 'team-owner',
  /** Move one of the team's websites out of it, to a user or another team. */
  moveWebsitesOut: (role: TeamRole | null) => role === 'team-owner',
  /** Create websites in the team, change, reset and delete them. */
  writeWebsites: (role: TeamRole | null) => role === 'team-owner' || role === 'team-manager' || role === 'team-member',
  /** See the team, its members and its websites' numbers. */
  read: (role: TeamRole | null) => role !== null,
} as const;

/** A team in Umami's shape; the access code is shown only to those who may let people in. */
export const TeamSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  accessCode: Type.Optional(Type.String()),
  logoUrl: Type.Null(),
  createdAt: DateText,
  updatedAt: DateText,
  deletedAt: Type.Null(),
});
export type Team = Static<typeof TeamSchema> & { accessCode: string };

export const TeamRoleSchema = StringEnum(teamRoles);

/** A membership: who is in which team, in which role. */
export const TeamUserSchema = Type.Object({
  id: Type.String(),
  teamId: Type.String(),
  userId: Type.String(),
  role: TeamRoleSchema,
  createdAt: DateText,
  updatedAt: DateText,
});
export type TeamUser = Static<typeof TeamUserSchema>;

interface TeamRow {
  id: string;
  name: string;
  accessCode: string;
  createdAt: string;
  updatedAt: string;
}

const toTeam = (row: TeamRow): Team => ({ ...row, logoUrl: null, deletedAt: null });

const selectTeams = `SELECT id, name, access_code AS accessCode, created_at AS createdAt, updated_at AS updatedAt FROM teams FINAL WHERE deleted = 0`;
const selectMembers = `SELECT id, toString(team_id) AS teamId, toString(user_id) AS userId, role, created_at AS createdAt, updated_at AS updatedAt
  FROM team_users FINAL WHERE deleted = 0`;

/** The ids of the teams the user `{userId:String}` belongs to, as a subquery. */
export const teamIdsOfUser = 'SELECT team_id FROM team_users FINAL WHERE deleted = 0 AND user_id = toUUID({userId:String})';

/** Access codes as Umami makes them: `team_` and 16 random characters. */
const newAccessCode = () => `team_${randomBytes(12).toString('base64url').slice(0, 16)}`;

/** Teams and their members, kept in ClickHouse (replacing rows, like users and websites). */
export class Teams {
  constructor(private readonly db: ClickHouseClient) {}

  async #writeTeam(team: Team, deleted = false): Promise<void> {
    const row = {
      id: team.id,
      name: team.name,
      access_code: team.accessCode,
      created_at: Date.parse(team.createdAt),
      updated_at: Date.parse(team.updatedAt),
      deleted: deleted ? 1 : 0,
    };
    await writeRecord(this.db, 'teams', row);
  }

  async #writeMember(member: TeamUser, deleted = false): Promise<void> {
    const row = {
      team_id: member.teamId,
      user_id: member.userId,
      id: member.id,
      role: member.role,
      created_at: Date.parse(member.createdAt),
      updated_at: Date.parse(member.updatedAt),
      deleted: deleted ? 1 : 0,
    };
    await writeRecord(this.db, 'team_users', row);
  }

  /** A new team with `ownerId` as its team-owner; the team and that membership. */
  async create(name: string, ownerId: string): Promise<[Team, TeamUser]> {
    const at = new Date().toISOString();
    const team = toTeam({ id: randomUUID(), name, accessCode: newAccessCode(), createdAt: at, updatedAt: at });
    const owner: TeamUser = { id: randomUUID(), teamId: team.id, userId: ownerId, role: 'team-owner', createdAt: at, updatedAt: at };
    await this.#writeTeam(team);
    await this.#writeMember(owner);
    return [team, owner];
  }

  async get(id: string): Promise<Team | null> {
    const [row] = await rows<TeamRow>(this.db, `${selectTeams} AND id = toUUIDOrZero({id:String}) LIMIT 1`, { id });
    return row ? toTeam(row) : null;
  }

  async byAccessCode(accessCode: string): Promise<Team | null> {
    const [row] = await rows<TeamRow>(this.db, `${selectTeams} AND access_code = {accessCode:String} LIMIT 1`, { accessCode });
    return row ? toTeam(row) : null;
  }

  async update(team: Team, changes: { name?: string; accessCode?: string }): Promise<Team> {
    // Only the named fields: a body's other fields (Umami's client sends the teamId too) must not ride along.
    const updated = { ...team, updatedAt: new Date().toISOString() };
    if (changes.name !== undefined) updated.name = changes.name;
    if (changes.accessCode !== undefined) updated.accessCode = changes.accessCode;
    await this.#writeTeam(updated);
    return updated;
  }

  /** Deletes the team and every membership in it. */
  async delete(team: Team): Promise<void> {
    for (const member of await this.members(team.id)) await this.#writeMember(member, true);
    await this.#writeTeam(team, true);
  }

  /** One page of teams: every team (`userId` null), or those the user belongs to, newest first. */
  async list(userId: string | null, page: number, pageSize: number): Promise<{ data: Team[]; count: number }> {
    const mine = userId === null ? '' : ` AND id IN (${teamIdsOfUser})`;
    const params = { userId: userId ?? '', limit: pageSize, offset: (page - 1) * pageSize };
    const [data, total] = await Promise.all([
      rows<TeamRow>(this.db, `${selectTeams}${mine} ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`, params),
      rows<{ n: number }>(this.db, `SELECT count() AS n FROM teams FINAL WHERE deleted = 0${mine}`, params),
    ]);
    return { data: data.map(toTeam), count: total[0]?.n ?? 0 };
  }

  async members(teamId: string): Promise<TeamUser[]> {
    return rows<TeamUser>(this.db, `${selectMembers} AND team_id = toUUIDOrZero({teamId:String}) ORDER BY created_at`, { teamId });
  }

  async member(teamId: string, userId: string): Promise<TeamUser | null> {
    const [row] = await rows<TeamUser>(
      this.db,
      `${selectMembers} AND team_id = toUUIDOrZero({teamId:String}) AND user_id = toUUIDOrZero({userId:String}) LIMIT 1`,
      { teamId, userId },
    );
    return row ?? null;
  }

  /** The user's role in the team, or null when not a member. */
  async roleOf(teamId: string, userId: string): Promise<TeamRole | null> {
    return (await this.member(teamId, userId))?.role ?? null;
  }

  /** What the user may do in the team: admins act as its owner; null when the team is none of theirs (or does not exist). */
  async roleFor(teamId: string, user: { id: string; role: string }): Promise<TeamRole | null> {
    if (user.role === 'admin') return (await this.get(teamId)) ? 'team-owner' : null;
    return this.roleOf(teamId, user.id);
  }

  /** Adds a user (or changes the role of one already in the team). */
  async setMember(teamId: string, userId: string, role: TeamRole): Promise<TeamUser> {
    const at = new Date().toISOString();
    const existing = await this.member(teamId, userId);
    const member: TeamUser = existing ? { ...existing, role, updatedAt: at } : { id: randomUUID(), teamId, userId, role, createdAt: at, updatedAt: at };
    await this.#writeMember(member);
    return member;
  }

  /**
   * Removes a member (or records that one left) and gives the team a new access code: whoever
   * leaves knew the old one and must not be able to walk back in with it.
   */
  async removeMember(member: TeamUser): Promise<void> {
    await this.#writeMember(member, true);
    const team = await this.get(member.teamId);
    if (team) await this.#writeTeam({ ...team, accessCode: newAccessCode(), updatedAt: new Date().toISOString() });
  }
}
