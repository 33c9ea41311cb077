import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ClickHouseClient } from '@clickhouse/client';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { dropReasons, normalizeRules, ruleLimits, rulesProblem } from '../ingest/ingest-rules';
import { referrerSpamDomains, referrerSpamSource } from '../ingest/referrer-spam-domains';
import { Nullable, StringEnum, UnixMs } from '../shared/schema';
import { readDropTotals } from '../storage/dropped-events';
import type { IngestRulesStore } from '../websites/ingest-rules-store';
import { checkRange } from '../reads/date-range';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

const list = (itemLength: number) => Type.Array(Type.String({ maxLength: itemLength }), { maxItems: ruleLimits.entries });

const ruleFields = {
  hostnames: list(ruleLimits.hostnameLength),
  includeSubdomains: Type.Boolean(),
  excludedIps: list(ruleLimits.ipLength),
  excludedPaths: list(ruleLimits.pathLength),
  blockReferrerSpam: Type.Boolean(),
};

/** A change names only the fields it changes (unknown fields are dropped, as on every body). */
const RulesChange = Type.Partial(Type.Object(ruleFields));

const RulesAnswer = Type.Object({
  ...ruleFields,
  /** When they were last saved; null while the website has the defaults. */
  updatedAt: Nullable(Type.String()),
  /** The shipped referrer spam list: where it comes from and how many domains it holds. */
  referrerSpamList: Type.Object({ url: Type.String(), commit: Type.String(), date: Type.String(), domains: Type.Integer() }),
});

const spamList = { ...referrerSpamSource, domains: referrerSpamDomains.split('\n').length };

const DropsAnswer = Type.Object({
  total: Type.Integer(),
  data: Type.Array(Type.Object({ reason: StringEnum(dropReasons), count: Type.Integer() })),
});

export interface IngestRulesDeps extends WebsiteAccess {
  ingestRules: IngestRulesStore;
  db: ClickHouseClient;
}

/**
 * A website's counting rules (our addition to Umami's API): read and changed by whoever may change
 * the website; and what they, and the bot filter, kept out.
 */
export const ingestRulesRoutes: FastifyPluginAsyncTypebox<IngestRulesDeps> = async (app, deps) => {
  const { ingestRules, db } = deps;

  app.get('/api/websites/:websiteId/ingest-rules', { schema: { params: websiteParams, response: { 200: RulesAnswer } } }, async (request) => {
    const website = await permittedWebsite(deps, request, 'write');
    const { rules, updatedAt } = await ingestRules.read(website.id);
    return { ...rules, updatedAt, referrerSpamList: spamList };
  });

  app.post(
    '/api/websites/:websiteId/ingest-rules',
    {
      schema: { params: websiteParams, body: RulesChange, response: { 200: RulesAnswer } },
      config: { write: true },
    },
    async (request) => {
      const website = await permittedWebsite(deps, request, 'write');
      const { rules: current } = await ingestRules.read(website.id);
      const rules = normalizeRules({ ...current, ...request.body });
      const problem = rulesProblem(rules);
      if (problem) throw new ApiError('badRequest', problem);
      const saved = await ingestRules.save(website.id, rules);
      return { ...saved.rules, updatedAt: saved.updatedAt, referrerSpamList: spamList };
    },
  );

  // Counted per UTC day: the range covers every UTC day it touches.
  app.get(
    '/api/websites/:websiteId/dropped',
    { schema: { params: websiteParams, querystring: Type.Object({ startAt: UnixMs, endAt: UnixMs }), response: { 200: DropsAnswer } } },
    async (request) => {
      const website = await permittedWebsite(deps, request, 'write');
      const { startAt, endAt } = checkRange(request.query.startAt, request.query.endAt);
      const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const data = await readDropTotals(db, { websiteId: website.id, firstDay: utcDay(startAt), lastDay: utcDay(endAt) });
      return { total: data.reduce((sum, row) => sum + row.count, 0), data };
    },
  );
};
