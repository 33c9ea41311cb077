import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { SignedTokens } from '../signed-token';
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

export async function shareRoute(app: FastifyInstance, { websites, shareLinks }: { websites: Websites; shareLinks: ShareLinks }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/share/:shareId',
    {
      schema: {
        params: Type.Object({ shareId: Type.String({ pattern: shareIdPattern }) }),
        response: { 200: Type.Object({ websiteId: Type.String(), token: Type.String() }) },
      },
      config: { public: true },
    },
    async (request) => {
      const website = await websites.byShareId(request.params.shareId);
      if (!website || website.shareId === null) throw new ApiError('notFound', 'No website is shared under this link');
      return { websiteId: website.id, token: shareLinks.issue({ websiteId: website.id, shareId: website.shareId }) };
    },
  );
}
