import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authOf, currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { NoBody, Nullable, Ok, PageOf, pagingProperties, Uuid } from '../shared/schema';
import { teamCan, type Teams } from '../teams/teams';
import { shareIdPattern } from '../websites/share-links';
import { SharedWebsiteSchema, sharedView, WebsiteSchema, type Website, type Websites } from '../websites/websites';
import type { ShareRecords } from '../websites/share-records';

export const websiteParams = Type.Object({ websiteId: Uuid });

const websiteFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  domain: Type.String({ minLength: 1, maxLength: 500 }),
};

/** Umami's share switch: a new id turns the public link on (or changes it), null turns it off. */
const shareIdField = Nullable(Type.String({ pattern: shareIdPattern }));

/** What deciding who may see or change a website takes. */
export interface WebsiteAccess {
  websites: Websites;
  teams: Teams;
  /** Shares of the current model: a share token names one of them or the website's older share id. */
  shares?: ShareRecords;
}

/**
 * The website a request names, when the user may `read` it (admins; its owner; any member of its
 * team) or `write` it (admins; its owner; its team's owners, managers and members). A website the
 * user may not see reads as not found; one they may see but not change is 403.
 */
export function permittedWebsite(
  access: WebsiteAccess,
  request: FastifyRequest<{ Params: { websiteId: string } }>,
  need: 'read' | 'write' = 'read',
): Promise<Website> {
  return websiteFor(access, request, request.params.websiteId, need);
}

/** permittedWebsite for a website id the request carries elsewhere than its path (a list of ids). */
export async function websiteFor(
  { websites, teams, shares }: WebsiteAccess,
  request: FastifyRequest,
  websiteId: string,
  need: 'read' | 'write' = 'read',
): Promise<Website> {
  const user = currentUser(request);
  const website = await websites.get(websiteId.toLowerCase());
  if (!website) throw new ApiError('notFound', 'Website not found');
  const { share } = authOf(request);
  if (share) {
    // A share token reads its own website while it is shared under the same id; nothing else.
    if (need !== 'read' || share.websiteId !== website.id) throw new ApiError('notFound', 'Website not found');
    if (share.shareId !== website.shareId && !(await shares?.isLive(website.id, share.shareId))) throw new ApiError('notFound', 'Website not found');
    return website;
  }
  if (user.role === 'admin') return website;
  if (website.teamId === null) {
    if (website.userId !== user.id) throw new ApiError('notFound', 'Website not found');
    return website;
  }
  const role = await teams.roleOf(website.teamId, user.id);
  if (!teamCan.read(role)) throw new ApiError('notFound', 'Website not found');
  if (need === 'write' && !teamCan.writeWebsites(role)) throw new ApiError('forbidden', 'Your role in the team cannot change its websites');
  return website;
}

const websiteAnswer = { 200: WebsiteSchema };

/** Website management, in Umami's paths and shapes. */
export const websiteRoutes: FastifyPluginAsyncTypebox<WebsiteAccess & { retentionChanged?: () => void }> = async (app, access) => {
  const { websites, teams } = access;
  app.post(
    '/api/websites',
    {
      schema: { body: Type.Object({ ...websiteFields, teamId: Type.Optional(Uuid) }), response: websiteAnswer },
      config: { write: true },
    },
    async (request) => {
      const user = currentUser(request);
      const { name, domain, teamId } = request.body;
      if (teamId !== undefined) {
        const role = await teams.roleFor(teamId.toLowerCase(), user);
        if (!teamCan.read(role)) throw new ApiError('notFound', 'Team not found');
        if (!teamCan.writeWebsites(role)) throw new ApiError('forbidden', 'Your role in the team cannot create websites');
      }
      return websites.create(user.id, name, domain, teamId?.toLowerCase() ?? null);
    },
  );

  app.get(
    '/api/websites',
    {
      schema: {
        querystring: Type.Object({ ...pagingProperties, includeTeams: Type.Optional(Type.Boolean()) }),
        response: { 200: PageOf(WebsiteSchema) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { page, pageSize, includeTeams = false } = request.query;
      const { data, count } = await websites.list(user.role === 'admin' ? null : { userId: user.id, includeTeams }, page, pageSize);
      return { data, count, page, pageSize };
    },
  );

  // A share link's reader gets the website without its owners' ids.
  app.get(
    '/api/websites/:websiteId',
    { schema: { params: websiteParams, response: { 200: Type.Union([WebsiteSchema, SharedWebsiteSchema]) } }, config: { share: true } },
    async (request) => {
      const website = await permittedWebsite(access, request);
      return authOf(request).share ? sharedView(website) : website;
    },
  );

  app.post(
    '/api/websites/:websiteId',
    {
      schema: {
        params: websiteParams,
        body: Type.Object({
          name: Type.Optional(websiteFields.name),
          domain: Type.Optional(websiteFields.domain),
          shareId: Type.Optional(shareIdField),
          // Ours: months of data to keep (0: everything), enforced in the background (storage/retention.ts).
          retentionMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
        }),
        response: websiteAnswer,
      },
      config: { write: true },
    },
    async (request) => {
      const website = await permittedWebsite(access, request, 'write');
      const updated = await websites.update(website, request.body);
      if (updated.retentionMonths > 0 && updated.retentionMonths !== website.retentionMonths) access.retentionChanged?.();
      return updated;
    },
  );

  const change = { params: websiteParams, body: NoBody, response: { 200: Ok } };
  app.delete('/api/websites/:websiteId', { schema: change, config: { write: true } }, async (request) => {
    await websites.delete(await permittedWebsite(access, request, 'write'));
    return { ok: true } as const;
  });

  app.post('/api/websites/:websiteId/reset', { schema: change, config: { write: true } }, async (request) => {
    await websites.reset(await permittedWebsite(access, request, 'write'));
    return { ok: true } as const;
  });

  // Umami's transfer: to a team the user manages, or back to a user (oneself; admins: anyone); out of a team by its owner only.
  app.post(
    '/api/websites/:websiteId/transfer',
    {
      schema: { params: websiteParams, body: Type.Object({ userId: Type.Optional(Uuid), teamId: Type.Optional(Uuid) }), response: websiteAnswer },
      config: { write: true },
    },
    async (request) => {
      const user = currentUser(request);
      const website = await permittedWebsite(access, request, 'write');
      const { userId, teamId } = request.body;
      if ((userId === undefined) === (teamId === undefined)) throw new ApiError('badRequest', 'Name either userId or teamId');
      // As in Umami, a team's website leaves the team only by its owner's (or an admin's) hand.
      if (website.teamId !== null && !teamCan.moveWebsitesOut(await teams.roleFor(website.teamId, user))) {
        throw new ApiError('forbidden', "Only the team's owner can move its websites out");
      }
      if (teamId !== undefined) {
        const id = teamId.toLowerCase();
        const role = await teams.roleFor(id, user);
        if (!teamCan.read(role)) throw new ApiError('notFound', 'Team not found');
        if (!teamCan.manage(role)) throw new ApiError('forbidden', "Only the team's owners and managers can take websites in");
        return websites.transfer(website, { teamId: id });
      }
      const id = userId!.toLowerCase();
      if (user.role !== 'admin' && id !== user.id) throw new ApiError('forbidden', 'A website can be transferred to yourself or to a team');
      return websites.transfer(website, { userId: id });
    },
  );
};
