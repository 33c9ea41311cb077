import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { SignedTokens } from '../signed-token';
import type { ShareRecords } from './share-records';
import type { Websites } from './websites';

/** How long a share token (what `/api/share/:shareId` hands out) is good for; the page asks again. */
const shareTokenLifetimeMs = 24 * 3600_000;

export interface SharedWebsite {
  websiteId: string;
  shareId: string;
}

/**
 * Umami's share links: an owner sets a website's `shareId`; `GET /api/share/:shareId` answers
 * `{websiteId, token}`, and the token, sent as `x-umami-share-token`, reads that website's
 * figures and nothing else (the routes that allow it say `share: true`). The token names the
 * shareId, which is checked against the website at every request, so turning sharing off (or
 * changing the id) ends access at once.
 */
export class ShareLinks {
  readonly #tokens: SignedTokens<{ w: string; s: string; e: number }>;

  constructor(appSecret: string) {
    this.#tokens = new SignedTokens(appSecret, 'share-link');
  }

  issue(shared: SharedWebsite): string {
    return this.#tokens.sign({ w: shared.websiteId, s: shared.shareId, e: Date.now() + shareTokenLifetimeMs });
  }

  read(token: string): SharedWebsite | null {
    const claims = this.#tokens.read(token);
    if (!claims || typeof claims.w !== 'string' || typeof claims.s !== 'string' || typeof claims.e !== 'number' || claims.e < Date.now()) return null;
    return { websiteId: claims.w, shareId: claims.s };
  }
}

export const shareIdPattern = '^[A-Za-z0-9_-]{8,64}$';

/**
 * `GET /api/share/:slug` (public): a website's older single share id, or a share of Umami's
 * current model (share-records.ts) by its slug, answered with the website and a share token.
 */
export async function shareRoute(app: FastifyInstance, { websites, shareLinks, shares }: { websites: Websites; shareLinks: ShareLinks; shares: ShareRecords }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/share/:slug',
    {
      schema: {
        params: Type.Object({ slug: Type.String({ pattern: shareIdPattern }) }),
        response: {
          200: Type.Object({
            websiteId: Type.String(),
            token: Type.String(),
            // A share of the current model: its name and parameters (what the page shows).
            name: Type.Optional(Type.String()),
            parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          }),
        },
      },
      config: { public: true },
    },
    async (request) => {
      const { slug } = request.params;
      const website = await websites.byShareId(slug);
      if (website?.shareId) return { websiteId: website.id, token: shareLinks.issue({ websiteId: website.id, shareId: website.shareId }) };
      const share = await shares.bySlug(slug);
      if (!share) throw new ApiError('notFound', 'No website is shared under this link');
      return {
        websiteId: share.entityId,
        token: shareLinks.issue({ websiteId: share.entityId, shareId: share.slug }),
        name: share.name,
        parameters: share.parameters,
      };
    },
  );
}
