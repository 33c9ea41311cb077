import type { ClickHouseClient } from '@clickhouse/client';
import { compileRules, defaultIngestRules, normalizeRules, rulesProblem, type CompiledRules, type IngestRules } from '../ingest/ingest-rules';
import { InFlight } from '../storage/in-flight';
import { readIngestRules, writeIngestRules } from '../storage/ingest-rules-table';

/** How long a collector trusts the rules it read: changes made through another collector apply within this. */
export const rulesTtlMs = 10_000;
const cacheLimit = 50_000;

/** Stored JSON as rules; anything unreadable or no longer valid reads as the defaults. */
function parseRules(text: string): IngestRules {
  try {
    const stored = JSON.parse(text) as Partial<IngestRules>;
    const rules = normalizeRules({ ...defaultIngestRules, ...stored });
    return rulesProblem(rules) === null ? rules : defaultIngestRules;
  } catch {
    return defaultIngestRules;
  }
}

/** Websites' counting rules: saved in ClickHouse, compiled and cached for the beacon's hot path. */
export class IngestRulesStore {
  readonly #cache = new Map<string, { compiled: CompiledRules; until: number }>();
  readonly #reads = new InFlight<{ rules: IngestRules; updatedAt: string | null }>();

  constructor(private readonly db: ClickHouseClient) {}

  /** The website's rules as saved (the defaults when none were), and when they were saved. */
  read(websiteId: string): Promise<{ rules: IngestRules; updatedAt: string | null }> {
    return this.#reads.get(websiteId, async () => {
      const stored = await readIngestRules(this.db, websiteId);
      return stored ? { rules: parseRules(stored.rules), updatedAt: stored.updatedAt } : { rules: defaultIngestRules, updatedAt: null };
    });
  }

  /** Saves rules already checked by rulesProblem; this collector applies them at once. */
  async save(websiteId: string, rules: IngestRules): Promise<{ rules: IngestRules; updatedAt: string }> {
    const at = Date.now();
    await writeIngestRules(this.db, websiteId, JSON.stringify(rules), at);
    this.#reads.forget();
    this.#remember(websiteId, compileRules(rules), at);
    return { rules, updatedAt: new Date(at).toISOString() };
  }

  /**
   * The rules the send route applies. Only a website's first beacon in this process waits for
   * them to be read; after that the cached rules answer at once, and once they are older than
   * rulesTtlMs a read in the background replaces them. With storage away, the last rules read
   * (however old), or the defaults: a beacon is never refused for want of its rules.
   */
  async forBeacons(websiteId: string, now = Date.now()): Promise<CompiledRules> {
    const cached = this.#cache.get(websiteId);
    if (cached) {
      if (cached.until <= now) void this.#refresh(websiteId, now).catch(() => {});
      return cached.compiled;
    }
    return this.#refresh(websiteId, now).catch(() => defaultCompiled);
  }

  async #refresh(websiteId: string, now: number): Promise<CompiledRules> {
    const compiled = compileRules((await this.read(websiteId)).rules);
    this.#remember(websiteId, compiled, now);
    return compiled;
  }

  #remember(websiteId: string, compiled: CompiledRules, now: number): void {
    if (this.#cache.size >= cacheLimit) this.#cache.clear();
    this.#cache.set(websiteId, { compiled, until: now + rulesTtlMs });
  }
}

const defaultCompiled = compileRules(defaultIngestRules);
