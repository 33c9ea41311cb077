import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { currentUser } from '../auth/guard';
import type { Users } from '../auth/users';
import { ApiError } from '../errors';
import { NoBody, Nullable, Ok, PageOf, PageQuery, StringEnum, Uuid } from '../shared/schema';
import { WebsiteSchema, type Websites } from '../websites/websites';
import { TeamSchema, TeamUserSchema, teamCan, type Team, type TeamRole, type TeamUser, type Teams } from './teams';

const teamParams = Type.Object({ teamId: Uuid });
const memberParams = Type.Object({ teamId: Uuid, userId: Uuid });
const userParams = Type.Object({ userId: Uuid });
const name = Type.String({ minLength: 1, maxLength: 50 });
/** Roles a member can be given; the team-owner is the one who created the team. */
const grantable = StringEnum(['team-manager', 'team-member', 'team-view-only']);

/** A membership with the member's id and name (null when the user is gone). */
const MemberSchema = Type.Object({ ...TeamUserSchema.properties, user: Nullable(Type.Object({ id: Type.String(), username: Type.String() })) });
const teamAnswer = { 200: TeamSchema };
const membershipAnswer = { 200: TeamUserSchema };
const teamsPage = { 200: PageOf(TeamSchema) };
const websitesPage = { 200: PageOf(WebsiteSchema) };

type PageRequest = FastifyRequest & { query: { page: number; pageSize: number } };

interface TeamDeps {
  teams: Teams;
  users: Users;
  websites: Websites;
}

/** What every team route asks: the team and the caller's role in it, what that role may do, how a team and a member are shown. */
function teamAccess({ teams, users }: TeamDeps) {
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

  /** One page of teams, each with its access code only when the viewer may let people in. */
  const listTeams = async (request: PageRequest, userId: string | null) => {
    const { page, pageSize } = request.query;
    const viewer = currentUser(request);
    const { data, count } = await teams.list(userId, page, pageSize);
    return { data: await Promise.all(data.map(async (team) => shown(team, await teams.roleFor(team.id, viewer)))), count, page, pageSize };
  };
  /** A member other than the team's owner, whom the request may change. */
  const changeableMember = async (
    request: { params: { teamId: string; userId: string }; user: { id: string; role: string } },
    what: string,
    allowSelf = false,
  ) => {
    const { team, role } = await teamFor(request, request.user);
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError('notFound', 'Not a member of this team');
    if (member.role === 'team-owner') throw new ApiError('badRequest', "The team's owner stays; delete the team instead");
    needs(teamCan.manage(role) || (allowSelf && member.userId === request.user.id), what);
    return member;
  };

  return { teamFor, needs, shown, withUser, listTeams, changeableMember };
}

/** Umami's teams: create, read, change, delete, join by access code, members and their roles, the team's websites. */
export const teamRoutes: FastifyPluginAsyncTypebox<TeamDeps> = async (app, deps) => {
  const access = teamAccess(deps);
  await app.register(teamRecordRoutes, { ...deps, access });
  await app.register(teamMemberRoutes, { ...deps, access });
  await app.register(teamWebsiteRoutes, { ...deps, access });
};

type Access = ReturnType<typeof teamAccess>;

/** The teams themselves: create, list, join, read, change, delete. */
const teamRecordRoutes: FastifyPluginAsyncTypebox<TeamDeps & { access: Access }> = async (app, { teams, websites, access }) => {
  const { teamFor, needs, shown, listTeams } = access;
  // Umami answers with the team and the owner's membership, as a pair.
  app.post(
    '/api/teams',
    { schema: { body: Type.Object({ name }), response: { 200: Type.Tuple([TeamSchema, TeamUserSchema]) } }, config: { write: true } },
    async (request) => teams.create(request.body.name, currentUser(request).id),
  );

  // Admins see every team here; others, their own (as at /api/me/teams).
  app.get('/api/teams', { schema: { querystring: PageQuery, response: teamsPage } }, async (request) => {
    const user = currentUser(request);
    return listTeams(request, user.role === 'admin' ? null : user.id);
  });
  app.get('/api/me/teams', { schema: { querystring: PageQuery, response: teamsPage } }, async (request) => listTeams(request, currentUser(request).id));

  app.post(
    '/api/teams/join',
    { schema: { body: Type.Object({ accessCode: Type.String({ minLength: 1, maxLength: 100 }) }), response: membershipAnswer } },
    async (request) => {
      const user = currentUser(request);
      const team = await teams.byAccessCode(request.body.accessCode);
      if (!team) throw new ApiError('notFound', 'No team has this access code');
      if (await teams.member(team.id, user.id)) throw new ApiError('badRequest', 'You are already a member of this team');
      return teams.setMember(team.id, user.id, 'team-member');
    },
  );

  app.get('/api/teams/:teamId', { schema: { params: teamParams, response: teamAnswer } }, async (request) => {
    const { team, role } = await teamFor(request, currentUser(request));
    return shown(team, role);
  });

  app.post(
    '/api/teams/:teamId',
    {
      schema: {
        params: teamParams,
        body: Type.Object({ name: Type.Optional(name), accessCode: Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
        response: teamAnswer,
      },
      config: { write: true },
    },
    async (request) => {
      const { team, role } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role), 'change the team');
      if (request.body.accessCode && (await teams.byAccessCode(request.body.accessCode))?.id !== undefined) {
        throw new ApiError('badRequest', 'Another team has this access code');
      }
      return teams.update(team, request.body);
    },
  );

  app.delete('/api/teams/:teamId', { schema: { params: teamParams, body: NoBody, response: { 200: Ok } }, config: { write: true } }, async (request) => {
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
    return { ok: true } as const;
  });
};

/** A team's members and their roles. */
const teamMemberRoutes: FastifyPluginAsyncTypebox<TeamDeps & { access: Access }> = async (app, { teams, users, access }) => {
  const { teamFor, needs, withUser, changeableMember } = access;
  app.get('/api/teams/:teamId/users', { schema: { params: teamParams, querystring: PageQuery, response: { 200: PageOf(MemberSchema) } } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    const members = await teams.members(team.id);
    const data = await Promise.all(members.slice((page - 1) * pageSize, page * pageSize).map(withUser));
    return { data, count: members.length, page, pageSize };
  });

  app.post(
    '/api/teams/:teamId/users',
    { schema: { params: teamParams, body: Type.Object({ userId: Uuid, role: grantable }), response: membershipAnswer }, config: { write: true } },
    async (request) => {
      const { team, role } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role), 'add members');
      const user = await users.findById(request.body.userId.toLowerCase());
      if (!user) throw new ApiError('notFound', 'User not found');
      if (await teams.member(team.id, user.id)) throw new ApiError('badRequest', 'The user is already a member of this team');
      return teams.setMember(team.id, user.id, request.body.role);
    },
  );

  app.get('/api/teams/:teamId/users/:userId', { schema: { params: memberParams, response: { 200: MemberSchema } } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError('notFound', 'Not a member of this team');
    return withUser(member);
  });

  app.post(
    '/api/teams/:teamId/users/:userId',
    { schema: { params: memberParams, body: Type.Object({ role: grantable }), response: membershipAnswer }, config: { write: true } },
    async (request) => {
      const member = await changeableMember({ params: request.params, user: currentUser(request) }, 'change roles');
      return teams.setMember(member.teamId, member.userId, request.body.role);
    },
  );

  // Managers remove members; anyone but the owner may leave, a view-only user too (their own
  // membership, as they manage their own password): removing anyone else is a write.
  app.delete('/api/teams/:teamId/users/:userId', { schema: { params: memberParams, body: NoBody, response: { 200: Ok } } }, async (request) => {
    const user = currentUser(request);
    if (user.role === 'view-only' && request.params.userId.toLowerCase() !== user.id) throw new ApiError('forbidden');
    const member = await changeableMember({ params: request.params, user }, 'remove members', true);
    // The access code changes with every departure, so a removed member cannot walk back in with it.
    await teams.removeMember(member);
    return { ok: true } as const;
  });
};

/** A team's websites, and the websites and teams of a user (the signed-in one, or anyone for an admin). */
const teamWebsiteRoutes: FastifyPluginAsyncTypebox<TeamDeps & { access: Access }> = async (app, { websites, access }) => {
  const { teamFor, listTeams } = access;
  app.get('/api/teams/:teamId/websites', { schema: { params: teamParams, querystring: PageQuery, response: websitesPage } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ teamId: team.id }, page, pageSize)), page, pageSize };
  });

  // The user's websites and those of their teams; an admin may ask for anyone's.
  app.get('/api/me/websites', { schema: { querystring: PageQuery, response: websitesPage } }, async (request) => {
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ userId: currentUser(request).id, includeTeams: true }, page, pageSize)), page, pageSize };
  });
  const selfOrAdmin = (request: { params: { userId: string } }, user: { id: string; role: string }) => {
    const id = request.params.userId.toLowerCase();
    if (user.role !== 'admin' && id !== user.id) throw new ApiError('forbidden', "Only admins may see another user's websites and teams");
    return id;
  };
  app.get('/api/users/:userId/websites', { schema: { params: userParams, querystring: PageQuery, response: websitesPage } }, async (request) => {
    const id = selfOrAdmin(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...(await websites.list({ userId: id, includeTeams: true }, page, pageSize)), page, pageSize };
  });
  app.get('/api/users/:userId/teams', { schema: { params: userParams, querystring: PageQuery, response: teamsPage } }, async (request) =>
    listTeams(request, selfOrAdmin(request, currentUser(request))),
  );
};
