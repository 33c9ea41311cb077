import { UmamiClient } from '@umami/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Teams as in Umami: every role against every website and team route. The cast: a team's owner,
 * manager, member and view-only member, a global view-only user made a team member, an outsider,
 * and the admin.
 */
let collector: TestCollector;
const password = 'tulip garden lamp';
const people = ['owner', 'manager', 'member', 'viewer', 'reader', 'outsider'] as const;
type Person = (typeof people)[number] | 'admin';
const tokens = {} as Record<Person, string>;
const ids = {} as Record<Person, string>;
let team = '';
let site = '';

const call = async (who: Person, method: string, path: string, json?: unknown) => {
  const response = await collector.request(path, { method, token: tokens[who], ...(json === undefined ? {} : { json }) });
  return { status: response.status, body: (await response.json()) as any };
};

beforeAll(async () => {
  collector = await startTestCollector();
  tokens.admin = await collector.login();
  ids.admin = ((await call('admin', 'GET', '/api/me')).body as { user: { id: string } }).user.id;
  for (const name of people) {
    const user = await collector.users.create(`t-${name}`, password, name === 'reader' ? 'view-only' : 'user');
    ids[name] = user.id;
    tokens[name] = await collector.login(`t-${name}`, password);
  }
  team = (await call('owner', 'POST', '/api/teams', { name: 'Growth' })).body[0].id;
  const roles = { manager: 'team-manager', member: 'team-member', viewer: 'team-view-only', reader: 'team-member' } as const;
  for (const [name, role] of Object.entries(roles))
    expect((await call('owner', 'POST', `/api/teams/${team}/users`, { userId: ids[name as Person], role })).status).toBe(200);
  site = (await call('owner', 'POST', '/api/websites', { name: 'Team site', domain: 'team.example', teamId: team })).body.id;
});
afterAll(() => collector?.destroy());

const everyone: Person[] = ['admin', 'owner', 'manager', 'member', 'viewer', 'reader', 'outsider'];
const statuses = async (request: (who: Person) => Promise<{ status: number }>) =>
  Object.fromEntries(await Promise.all(everyone.map(async (who) => [who, (await request(who)).status] as const)));

describe('team websites, by role', () => {
  it('is owned by the team', async () => {
    expect((await call('owner', 'GET', `/api/websites/${site}`)).body).toMatchObject({ id: site, teamId: team, userId: null, createdBy: ids.owner });
  });

  it('is read by every member and the admin; outsiders find nothing', async () => {
    const read = { admin: 200, owner: 200, manager: 200, member: 200, viewer: 200, reader: 200, outsider: 404 };
    expect(await statuses((who) => call(who, 'GET', `/api/websites/${site}`))).toEqual(read);
    expect(await statuses((who) => call(who, 'GET', `/api/websites/${site}/stats?${allTime}`))).toEqual(read);
    expect(await statuses((who) => call(who, 'GET', `/api/websites/${site}/active`))).toEqual(read);
    expect(await statuses((who) => call(who, 'GET', `/api/teams/${team}/websites`))).toEqual(read);
  });

  it('is changed and reset by owners, managers and members; view-only (in the team or overall) cannot', async () => {
    const write = { admin: 200, owner: 200, manager: 200, member: 200, viewer: 403, reader: 403, outsider: 404 };
    expect(await statuses((who) => call(who, 'POST', `/api/websites/${site}`, { name: `renamed by ${who}` }))).toEqual(write);
    expect(await statuses((who) => call(who, 'POST', `/api/websites/${site}/reset`))).toEqual(write);
  });

  it('can be created in the team by those who may change its websites', async () => {
    const created = await statuses((who) => call(who, 'POST', '/api/websites', { name: `by ${who}`, domain: 'x.example', teamId: team }));
    expect(created).toEqual({ admin: 200, owner: 200, manager: 200, member: 200, viewer: 403, reader: 403, outsider: 404 });
  });

  it('is listed at /api/me/websites and with includeTeams, not among one’s own by default', async () => {
    const mine = (await call('viewer', 'GET', '/api/me/websites?pageSize=100')).body.data.map((w: { id: string }) => w.id);
    expect(mine).toContain(site);
    expect((await call('viewer', 'GET', '/api/websites')).body.data.map((w: { id: string }) => w.id)).not.toContain(site);
    expect((await call('viewer', 'GET', '/api/websites?includeTeams=true&pageSize=100')).body.data.map((w: { id: string }) => w.id)).toContain(site);
    expect((await call('outsider', 'GET', '/api/me/websites')).body.data).toEqual([]);
    expect((await call('viewer', 'GET', `/api/users/${ids.viewer}/websites`)).status).toBe(200);
    expect((await call('viewer', 'GET', `/api/users/${ids.member}/websites`)).status).toBe(403);
    expect((await call('admin', 'GET', `/api/users/${ids.member}/websites?pageSize=100`)).body.data.map((w: { id: string }) => w.id)).toContain(site);
  });
});

describe('team routes, by role', () => {
  it('show the team to members, its access code only to those who let people in', async () => {
    expect(await statuses((who) => call(who, 'GET', `/api/teams/${team}`))).toEqual({
      admin: 200,
      owner: 200,
      manager: 200,
      member: 200,
      viewer: 200,
      reader: 200,
      outsider: 404,
    });
    expect((await call('manager', 'GET', `/api/teams/${team}`)).body.accessCode).toMatch(/^team_/);
    expect((await call('member', 'GET', `/api/teams/${team}`)).body.accessCode).toBeUndefined();
    expect(await statuses((who) => call(who, 'GET', `/api/teams/${team}/users`))).toEqual({
      admin: 200,
      owner: 200,
      manager: 200,
      member: 200,
      viewer: 200,
      reader: 200,
      outsider: 404,
    });
    const members = (await call('member', 'GET', `/api/teams/${team}/users`)).body;
    expect(members.count).toBe(5);
    expect(members.data.find((m: { userId: string }) => m.userId === ids.owner)).toMatchObject({
      role: 'team-owner',
      teamId: team,
      user: { username: 't-owner' },
    });
    // Team lists follow the same rule.
    const listed = async (who: Person) => (await call(who, 'GET', '/api/me/teams')).body.data.find((t: { id: string }) => t.id === team);
    expect((await listed('manager')).accessCode).toMatch(/^team_/);
    expect((await listed('member')).accessCode).toBeUndefined();
    expect((await call('admin', 'GET', '/api/teams')).body.data.find((t: { id: string }) => t.id === team).accessCode).toMatch(/^team_/);
  });

  it("are named in the login answer with the user's role in each, without access codes", async () => {
    const login = await collector.request('/api/auth/login', { method: 'POST', json: { username: 't-viewer', password } });
    const { user } = (await login.json()) as { user: { teams: Record<string, unknown>[] } };
    expect(user.teams).toEqual([
      {
        id: team,
        name: expect.any(String),
        logoUrl: null,
        deletedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        role: 'team-view-only',
      },
    ]);
    expect((await call('viewer', 'POST', '/api/auth/verify')).body.teams).toEqual(user.teams);
  });

  it('are changed by owners and managers only', async () => {
    expect(await statuses((who) => call(who, 'POST', `/api/teams/${team}`, { name: 'Growth' }))).toEqual({
      admin: 200,
      owner: 200,
      manager: 200,
      member: 403,
      viewer: 403,
      reader: 403,
      outsider: 404,
    });
    // Changing a member's role (to the role it has).
    expect(await statuses((who) => call(who, 'POST', `/api/teams/${team}/users/${ids.member}`, { role: 'team-member' }))).toEqual({
      admin: 200,
      owner: 200,
      manager: 200,
      member: 403,
      viewer: 403,
      reader: 403,
      outsider: 404,
    });
    expect((await call('manager', 'POST', `/api/teams/${team}/users/${ids.owner}`, { role: 'team-member' })).status).toBe(400);
    expect((await call('manager', 'POST', `/api/teams/${team}/users`, { userId: ids.member, role: 'team-member' })).status).toBe(400);
    expect((await call('member', 'POST', `/api/teams/${team}/users`, { userId: ids.outsider, role: 'team-member' })).status).toBe(403);
    expect((await call('owner', 'POST', `/api/teams/${team}/users`, { userId: ids.outsider, role: 'team-owner' })).status).toBe(400);
  });

  it('let anyone join by access code, and anyone but the owner leave', async () => {
    const { accessCode } = (await call('owner', 'GET', `/api/teams/${team}`)).body;
    expect((await call('outsider', 'POST', '/api/teams/join', { accessCode: 'team_wrong' })).status).toBe(404);
    const joined = await call('outsider', 'POST', '/api/teams/join', { accessCode });
    expect(joined.body).toMatchObject({ teamId: team, userId: ids.outsider, role: 'team-member' });
    expect((await call('outsider', 'POST', '/api/teams/join', { accessCode })).status).toBe(400);
    expect((await call('outsider', 'GET', `/api/websites/${site}/stats?${allTime}`)).status).toBe(200);
    expect((await call('outsider', 'GET', '/api/me/teams')).body.data.map((t: { id: string }) => t.id)).toEqual([team]);
    expect((await call('outsider', 'DELETE', `/api/teams/${team}/users/${ids.outsider}`)).status).toBe(200);
    expect((await call('outsider', 'GET', `/api/websites/${site}`)).status).toBe(404);
    expect((await call('owner', 'DELETE', `/api/teams/${team}/users/${ids.owner}`)).status).toBe(400);
    expect((await call('member', 'DELETE', `/api/teams/${team}/users/${ids.viewer}`)).status).toBe(403);
  });

  it('transfer websites between a user and a team the user manages', async () => {
    const own = (await call('manager', 'POST', '/api/websites', { name: 'Mine', domain: 'mine.example' })).body.id;
    expect((await call('member', 'POST', `/api/websites/${own}/transfer`, { teamId: team })).status).toBe(404);
    const moved = await call('manager', 'POST', `/api/websites/${own}/transfer`, { teamId: team });
    expect(moved.body).toMatchObject({ id: own, teamId: team, userId: null });
    expect((await call('viewer', 'GET', `/api/websites/${own}`)).status).toBe(200);
    expect((await call('member', 'POST', `/api/websites/${own}/transfer`, { userId: ids.manager })).status).toBe(403);
    // Out of the team: by its owner only (a member or manager taking it away was a finding of issue 31).
    expect((await call('member', 'POST', `/api/websites/${own}/transfer`, { userId: ids.member })).status).toBe(403);
    expect((await call('manager', 'POST', `/api/websites/${own}/transfer`, { userId: ids.manager })).status).toBe(403);
    const back = await call('owner', 'POST', `/api/websites/${own}/transfer`, { userId: ids.owner });
    expect(back.body).toMatchObject({ userId: ids.owner, teamId: null });
    expect((await call('viewer', 'GET', `/api/websites/${own}`)).status).toBe(404);
  });

  it('delete the team (and its websites) for its owner only', async () => {
    expect(await statuses((who) => (who === 'owner' || who === 'admin' ? Promise.resolve({ status: 0 }) : call(who, 'DELETE', `/api/teams/${team}`)))).toEqual({
      admin: 0,
      owner: 0,
      manager: 403,
      member: 403,
      viewer: 403,
      reader: 403,
      outsider: 404,
    });
    expect((await call('owner', 'DELETE', `/api/teams/${team}`)).status).toBe(200);
    expect((await call('owner', 'GET', `/api/teams/${team}`)).status).toBe(404);
    expect((await call('member', 'GET', `/api/websites/${site}`)).status).toBe(404);
    expect((await call('owner', 'GET', `/api/websites/${site}`)).status).toBe(404);
  });
});

describe('@umami/api-client', () => {
  it('drives the team operations unchanged', async () => {
    const owner = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(tokens.owner);
    const [created, ownership] = await owner.createTeam({ name: 'From the client' });
    expect(created).toMatchObject({ id: expect.any(String), name: 'From the client', accessCode: expect.stringMatching(/^team_/) });
    expect(ownership).toMatchObject({ teamId: created.id, userId: ids.owner, role: 'team-owner' });
    const member = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(tokens.member);
    expect(await member.joinTeam({ accessCode: created.accessCode })).toMatchObject({ teamId: created.id, role: 'team-member' });
    expect(await owner.updateTeamUser({ teamId: created.id, userId: ids.member, role: 'team-manager' })).toMatchObject({ role: 'team-manager' });
    expect(((await owner.getTeamUsers({ teamId: created.id })) as { count: number }).count).toBe(2);
    expect(((await member.getMyTeams({})) as { data: { id: string }[] }).data.map((t) => t.id)).toContain(created.id);
    const website = (await owner.createWebsite({ name: 'Client team site', domain: 'c.example', teamId: created.id })) as { id: string };
    expect(((await member.getTeamWebsites({ teamId: created.id })) as { data: { id: string }[] }).data.map((w) => w.id)).toEqual([website.id]);
    expect(await owner.updateTeam({ teamId: created.id, name: 'Renamed' })).toMatchObject({ name: 'Renamed' });
    expect(await owner.deleteTeamUser({ teamId: created.id, userId: ids.member })).toEqual({ ok: true });
    expect(await owner.deleteTeam({ teamId: created.id })).toEqual({ ok: true });
  });
});
