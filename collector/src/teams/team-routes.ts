import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/guard';
import type { Users } from '../auth/users';
import { ApiError } from '../errors';
import { uuidPattern } from '../shared/ids';
import { noBody, pagingProperties } from '../validation';
import type { Websites } from '../websites/websites';
import { teamCan, type Team, type TeamRole, type TeamUser, type Teams } from './teams';

const teamParams = { type: 'object', required: ['teamId'], properties: { teamId: { type: 'string', pattern: uuidPattern } } } as const;
const memberParams = {
  type: 'object',
  required: ['teamId', 'userId'],
  properties: { teamId: { type: 'string', pattern: uuidPattern }, userId: { type: 'string', pattern: uuidPattern } },
} as const;
const name = { type: 'string', minLength: 1, maxLength: 50 } as const;
/** Roles a member can be given; the team-owner is the one who created the team. */
const grantable = { type: 'string', enum: ['team-manager', 'team-member', 'team-view-only'] } as const;
const pageQuery = { type: 'object', properties: pagingProperties } as const;

type TeamId = { Params: { teamId: string } };
type MemberId = { Params: { teamId: string; userId: string } };
type Page = { Querystring: { page: number; pageSize: number } };

/** Umami's teams: create, read, change, delete, join by access code, members and their roles, the team's websites. */
export async function teamRoutes(app: FastifyInstance, { teams, users, websites }: { teams: Teams; users: Users; websites: Websites }) {
  /** The team and the user's role in it (admins act as its owner); a team the user is not in reads as not found. */
  const teamFor = async (request: { params: { teamId: string } }, user: { id: string; role: string }): Promise<{ team: Team; role: TeamRole }> => {
    const team = await teams.get(request.params.teamId.toLowerCase());
    const role = team ? await teams.roleFor(team.id, user) : null;
    if (!team || !role) throw new ApiError('notFound', 'Team not found');
    return { team, role };
  };
  const needs = (allowed: boolean, what: string) => {
    if (!allowed) throw new ApiError('forbidden', `Your role in the team cannot ${what}`);
  };
  /** The access code is for those who may let people in. */
  const shown = (team: Team, role: TeamRole | null) => (teamCan.manage(role) ? team : { ...team, accessCode: undefined });
  const withUser = async (member: TeamUser) => {
    const user = await users.findById(member.userId);
    return { ...member, user: user ? { id: user.id, username: user.username } : null };
  };

  // Umami answers with the team and the owner's membership, as a pair.
  app.post<{ Body: { name: string } }>(
    '/api/teams',
    { schema: { body: { type: 'object', required: ['name'], properties: { name } } }, config: { write: true } },
    async (request) => teams.create(request.body.name, currentUser(request).id),
  );

  /** One page of teams, each with its access code only when the viewer may let people in. */
  const listTeams = async (request: FastifyRequest<Page>, userId: string | null) => {
    const { page, pageSize } = request.query;
    const viewer = currentUser(request);
    const { data, count } = await teams.list(userId, page, pageSize);
    return { data: await Promise.all(data.map(async (team) => shown(team, await teams.roleFor(team.id, viewer)))), count, page, pageSize };
  };
  // Admins see every team here; others, their own (as at /api/me/teams).
  app.get<Page>('/api/teams', { schema: { querystring: pageQuery } }, async (request) => {
    const user = currentUser(request);
    return listTeams(request, user.role === 'admin' ? null : user.id);
  });
  app.get<Page>('/api/me/teams', { schema: { querystring: pageQuery } }, async (request) => listTeams(request, currentUser(request).id));

  app.post<{ Body: { accessCode: string } }>(
    '/api/teams/join',
    { schema: { body: { type: 'object', required: ['accessCode'], properties: { accessCode: { type: 'string', minLength: 1, maxLength: 100 } } } } },
    async (request) => {
      const user = currentUser(request);
      const team = await teams.byAccessCode(request.body.accessCode);
      if (!team) throw new ApiError('notFound', 'No team has this access code');
      if (await teams.member(team.id, user.id)) throw new ApiError('badRequest', 'You are already a member of this team');
      return teams.setMember(team.id, user.id, 'team-member');
    },
  );

  app.get<TeamId>('/api/teams/:teamId', { schema: { params: teamParams } }, async (request) => {
    const { team, role } = await teamFor(request, currentUser(request));
    return shown(team, role);
  });

  app.post<TeamId & { Body: { name?: string; accessCode?: string } }>(
    '/api/teams/:teamId',
    { schema: { params: teamParams, body: { type: 'object', properties: { name, accessCode: { type: 'string', minLength: 8, maxLength: 100 } } } } },
    async (request) => {
      const { team, role } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role), 'change the team');
      if (request.body.accessCode && (await teams.byAccessCode(request.body.accessCode))?.id !== undefined) {
        throw new ApiError('badRequest', 'Another team has this access code');
      }
      return teams.update(team, request.body);
    },
  );

  app.delete<TeamId>('/api/teams/:teamId', { schema: { params: teamParams, body: noBody } }, async (request) => {
    const user = currentUser(request);
    const { team, role } = await teamFor(request, user);
    needs(teamCan.delete(role), 'delete the team');
    // The team's websites go with it, as in Umami (their data is removed in the background).
    for (;;) {
      const { data } = await websites.list({ teamId: team.id }, 1, 100);
      if (data.length === 0) break;
      for (const website of data) await websites.delete(website);
    }
    await teams.delete(team);
    return { ok: true };
  });

  app.get<TeamId & Page>('/api/teams/:teamId/users', { schema: { params: teamParams, querystring: pageQuery } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    const members = await teams.members(team.id);
    const data = await Promise.all(members.slice((page - 1) * pageSize, page * pageSize).map(withUser));
    return { data, count: members.length, page, pageSize };
  });

  app.post<TeamId & { Body: { userId: string; role: Exclude<TeamRole, 'team-owner'> } }>(
    '/api/teams/:teamId/users',
    {
      schema: {
        params: teamParams,
        body: { type: 'object', required: ['userId', 'role'], properties: { userId: { type: 'string', pattern: uuidPattern }, role: grantable } },
      },
    },
    async (request) => {
      const { team, role } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role), 'add members');
      const user = await users.findById(request.body.userId.toLowerCase());
      if (!user) throw new ApiError('notFound', 'User not found');
      if (await teams.member(team.id, user.id)) throw new ApiError('badRequest', 'The user is already a member of this team');
      return teams.setMember(team.id, user.id, request.body.role);
    },
  );

  /** A member other than the team's owner, whom the request may change. */
  const changeableMember = async (request: { params: MemberId['Params']; user: { id: string; role: string } }, what: string, allowSelf = false) => {
    const { team, role } = await teamFor(request, request.user);
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError('notFound', 'Not a member of this team');
    if (member.role === 'team-owner') throw new ApiError('badRequest', "The team's owner stays; delete the team instead");
    needs(teamCan.manage(role) || (allowSelf && member.userId === request.user.id), what);
    return member;
  };

  app.get<MemberId>('/api/teams/:teamId/users/:userId', { schema: { params: memberParams } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError('notFound', 'Not a member of this team');
    return withUser(member);
  });

  app.post<MemberId & { Body: { role: Exclude<TeamRole, 'team-owner'> } }>(
    '/api/teams/:teamId/users/:userId',
    { schema: { params: memberParams, body: { type: 'object', required: ['role'], properties: { role: grantable } } } },
    async (request) => {
      const member = await changeableMember({ params: request.params, user: currentUser(request) }, 'change roles');
      return teams.setMember(member.teamId, member.userId, request.body.role);
    },
  );

  // Managers remove members; anyone but the owner may leave.
  app.delete<MemberId>('/api/teams/:teamId/users/:userId', { schema: { params: memberParams, body: noBody } }, async (request) => {
    const member = await changeableMember({ params: request.params, user: currentUser(request) }, 'remove members', true);
    await teams.removeMember(member);
    return { ok: true };
  });

  app.get<TeamId & Page>('/api/teams/:teamId/websites', { schema: { params: teamParams, querystring: pageQuery } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ teamId: team.id }, page, pageSize)), page, pageSize };
  });

  // The user's websites and those of their teams; an admin may ask for anyone's.
  app.get<Page>('/api/me/websites', { schema: { querystring: pageQuery } }, async (request) => {
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ userId: currentUser(request).id, includeTeams: true }, page, pageSize)), page, pageSize };
  });
  const selfOrAdmin = (request: { params: { userId: string } }, user: { id: string; role: string }) => {
    const id = request.params.userId.toLowerCase();
    if (user.role !== 'admin' && id !== user.id) throw new ApiError('forbidden', "Only admins may see another user's websites and teams");
    return id;
  };
  const userParams = { type: 'object', required: ['userId'], properties: { userId: { type: 'string', pattern: uuidPattern } } } as const;
  app.get<{ Params: { userId: string } } & Page>('/api/users/:userId/websites', { schema: { params: userParams, querystring: pageQuery } }, async (request) => {
    const id = selfOrAdmin(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ userId: id, includeTeams: true }, page, pageSize)), page, pageSize };
  });
  app.get<{ Params: { userId: string } } & Page>('/api/users/:userId/teams', { schema: { params: userParams, querystring: pageQuery } }, async (request) =>
    listTeams(request, selfOrAdmin(request, currentUser(request))),
  );
}
