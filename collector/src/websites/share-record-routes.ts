import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { websiteFor, type WebsiteAccess } from '../api/website-routes';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { NoBody, Ok, pagingProperties, Uuid } from '../shared/schema';
import { shareIdPattern } from './share-links';
import { randomSlug, shareTypes, type ShareRecord, type ShareRecords } from './share-records';

const Share = Type.Object({
  id: Type.String(),
  entityId: Type.String(),
  name: Type.String(),
  shareType: Type.Integer(),
  slug: Type.String(),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const name = Type.String({ minLength: 1, maxLength: 200 });
const slug = Type.String({ pattern: shareIdPattern });
/** What a share shows is the client's to decide (Umami's dashboard keeps its view settings here); bounded in size by the body limit. */
const parameters = Type.Record(Type.String(), Type.Unknown());
const shareParams = Type.Object({ shareId: Uuid });

const answer = ({ userId: _userId, ...share }: ShareRecord) => share;

/**
 * Shares in Umami's current model (`/api/websites/:id/shares`, `/api/share`, `/api/share/id/:shareId`):
 * listed by whoever may see the website, made, changed and deleted by whoever may change it. The
 * link itself (`GET /api/share/:slug`, public) is in share-links.ts.
 */
export const shareRecordRoutes: FastifyPluginAsyncTypebox<WebsiteAccess & { shares: ShareRecords }> = async (app, { shares, ...access }) => {
  /** A slug no other share and no website's older share id uses. */
  const freeSlug = async (wanted: string | undefined, keep?: ShareRecord): Promise<string> => {
    if (wanted === undefined) return randomSlug();
    if (keep?.slug === wanted) return wanted;
    if ((await shares.bySlug(wanted)) || (await access.websites.byShareId(wanted))) throw new ApiError('shareIdTaken');
    return wanted;
  };
  const shareOf = async (request: Parameters<typeof websiteFor>[1], id: string, need: 'read' | 'write') => {
    const share = await shares.byId(id.toLowerCase());
    if (!share) throw new ApiError('notFound', 'Share not found');
    await websiteFor(access, request, share.entityId, need).catch((error: unknown) => {
      throw error instanceof ApiError && error.status === 404 ? new ApiError('notFound', 'Share not found') : error;
    });
    return share;
  };

  app.get(
    '/api/websites/:websiteId/shares',
    {
      schema: {
        params: Type.Object({ websiteId: Uuid }),
        querystring: Type.Object({ ...pagingProperties }),
        response: { 200: Type.Object({ data: Type.Array(Share), count: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }) },
      },
    },
    async (request) => {
      const website = await websiteFor(access, request, request.params.websiteId);
      const { data, count } = await shares.list(website.id, request.query.page, request.query.pageSize);
      return { data: data.map(answer), count, page: request.query.page, pageSize: request.query.pageSize };
    },
  );

  app.post(
    '/api/websites/:websiteId/shares',
    {
      schema: {
        params: Type.Object({ websiteId: Uuid }),
        body: Type.Object({ name, parameters: Type.Optional(parameters), slug: Type.Optional(slug) }),
        response: { 200: Share },
      },
      config: { write: true },
    },
    async (request) => {
      const website = await websiteFor(access, request, request.params.websiteId, 'write');
      const { name, parameters = {}, slug } = request.body;
      return answer(
        await shares.create({
          entityId: website.id,
          userId: currentUser(request).id,
          name,
          slug: await freeSlug(slug),
          shareType: shareTypes.website,
          parameters,
        }),
      );
    },
  );

  app.post(
    '/api/share',
    {
      schema: {
        body: Type.Object({ entityId: Uuid, name, parameters, shareType: Type.Integer(), slug: Type.Optional(slug) }),
        response: { 200: Share },
      },
      config: { write: true },
    },
    async (request) => {
      const { entityId, name, parameters, shareType, slug } = request.body;
      if (shareType !== shareTypes.website)
        throw new ApiError('badRequest', `shareType must be ${shareTypes.website} (a website): boards, links and pixels are not served`);
      const website = await websiteFor(access, request, entityId, 'write');
      return answer(await shares.create({ entityId: website.id, userId: currentUser(request).id, name, slug: await freeSlug(slug), shareType, parameters }));
    },
  );

  app.get('/api/share/id/:shareId', { schema: { params: shareParams, response: { 200: Share } } }, async (request) =>
    answer(await shareOf(request, request.params.shareId, 'read')),
  );

  app.post(
    '/api/share/id/:shareId',
    { schema: { params: shareParams, body: Type.Object({ name, parameters, slug }), response: { 200: Share } }, config: { write: true } },
    async (request) => {
      const share = await shareOf(request, request.params.shareId, 'write');
      const { name, parameters, slug } = request.body;
      return answer(await shares.update(share, { name, parameters, slug: await freeSlug(slug, share) }));
    },
  );

  app.delete('/api/share/id/:shareId', { schema: { params: shareParams, body: NoBody, response: { 200: Ok } }, config: { write: true } }, async (request) => {
    await shares.delete(await shareOf(request, request.params.shareId, 'write'));
    return { ok: true } as const;
  });
};
