import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { collectorApi } from '../../../test-support/child-api';
import { spawnCollector, type ChildCollector } from '../../../test-support/child-collector';
import { chromeUA, startTestCollector } from '../../../test-support/collector';
import {
  checkInvariants,
  newLedger,
  oddBeacon,
  oddFields,
  quarantinedPaths,
  spoilLine,
  type Ledger,
  type OddFields,
} from '../../../test-support/ingest-ledger';
import { buildEventRow } from '../ingest/event-row';
import type { SendPayload } from '../ingest/send-schema';
import { describeAgent } from '../ingest/user-agent';
import { removeTempDir } from '../../../test-support/temp-dir';

/**
 * Random lives of a data directory, each a child collector (`dist/collector.mjs`) ended by SIGTERM
 * or SIGKILL, sometimes while beacons are in flight; between lives, a segment as an older version
 * left it (the token without a random part, rows ClickHouse refuses among good ones). After the
 * last life the spool drains and the invariants hold (test-support/ingest-ledger.ts): an event
 * answered 200 is stored once or quarantined, one whose answer never came at most once.
 * Runs: PROPERTY_RUNS / 5 (at least 2), so the default is 4.
 */
const runs = Math.max(2, Math.ceil(Number(process.env.PROPERTY_RUNS ?? 20) / 5));
const password = 'lifecycle-password';

const burst = fc.array(oddFields, { minLength: 1, maxLength: 25 });
const legacyRows = fc.array(fc.record({ spoiled: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), odd: oddFields }), { minLength: 1, maxLength: 25 });
const life = fc.record({
  bursts: fc.array(burst, { minLength: 1, maxLength: 3 }),
  /** The last burst is still in flight when the signal comes, after this many milliseconds. */
  killDuringBurst: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  signal: fc.constantFrom<NodeJS.Signals>('SIGTERM', 'SIGKILL'),
  /** Rows of a segment written between this life and the next, as an older version spooled them. */
  legacy: fc.option(legacyRows, { nil: null }),
});
const settings = fc.record({ BATCH_MAX_ROWS: fc.integer({ min: 1, max: 40 }).map(String), BATCH_INTERVAL_MS: fc.constantFrom('20', '200', '1000') });

/** A segment file named as before tokens had a random part, with rows built as the collector builds them. */
function writeLegacySegment(dataDir: string, seq: number, website: string, beacons: { path: string; odd: OddFields }[]) {
  const agent = describeAgent(chromeUA);
  const lines = beacons.map(({ path, odd }) => {
    const row = buildEventRow(
      oddBeacon(website, path, odd).payload as unknown as SendPayload & { website: string },
      { sessionId: crypto.randomUUID(), visitId: crypto.randomUUID(), pageview: { index: 1, gapMs: 0, visitStart: Date.now() } },
      agent,
      { country: '', region: '', city: '' },
      Date.now(),
    );
    return 'e' + spoilLine(Buffer.from(JSON.stringify(row))).toString();
  });
  writeFileSync(join(dataDir, 'spool', `segment-${String(seq).padStart(12, '0')}.log`), lines.join('\n') + '\n');
}

describe('ingest invariants over random lives of a child collector (fast-check)', () => {
  it(`hold after each of ${runs} sequences of lives ended by SIGTERM or SIGKILL`, { timeout: 120_000 + runs * 90_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(settings, fc.array(life, { minLength: 1, maxLength: 4 }), async (batching, lives) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'lifecycle-property-'));
        const env = {
          ...batching,
          DATA_DIR: dataDir,
          ADMIN_PASSWORD: password,
          SHUTDOWN_TIMEOUT_MS: '200',
          INSERT_RETRY_MAX_MS: '1000',
          VISIT_ROLLUP_INTERVAL_MS: '0',
        };
        const ledger: Ledger = newLedger();
        let next = 0;
        let legacySeq = 0;
        let website = '';
        const child: { current: ChildCollector | null } = { current: null };
        // The collector cleans what it is sent, so only the older version's rows can be refused.
        const sendBurst = (api: ReturnType<typeof collectorApi>, beacons: OddFields[]) =>
          beacons.map(async (odd) => {
            const path = `/ok/${next++}`;
            const status = await api.send(oddBeacon(website, path, odd)).catch(() => 0);
            (status === 200 ? ledger.acked : ledger.unanswered).add(path);
            return status;
          });
        try {
          for (const { bursts, killDuringBurst, signal, legacy } of lives) {
            child.current = await spawnCollector(env);
            const api = collectorApi(child.current.url, password);
            if (!website) website = await api.createWebsite(await api.login());
            for (const [b, beacons] of bursts.entries()) {
              const inFlight = killDuringBurst !== null && b === bursts.length - 1;
              const answers = Promise.all(sendBurst(api, beacons));
              if (inFlight) await new Promise((resolve) => setTimeout(resolve, killDuringBurst));
              else for (const status of await answers) if (status !== 200) throw new Error(`send answered ${status}:\n${child.current.output()}`);
            }
            await child.current.kill(signal);
            child.current = null;
            if (legacy) {
              const beacons = legacy.map(({ spoiled, odd }) => ({ path: `/${spoiled ? 'spoiled' : 'ok'}/${next++}`, odd, spoiled }));
              writeLegacySegment(dataDir, ++legacySeq, website, beacons);
              for (const { path, spoiled } of beacons) {
                ledger.acked.add(path);
                if (spoiled) ledger.spoiled.add(path);
              }
            }
          }
          child.current = await spawnCollector(env);
          await collectorApi(child.current.url, password).drained();
          await child.current.kill('SIGTERM');
          child.current = null;
          const reader = await startTestCollector({ VISIT_ROLLUP_INTERVAL_MS: '0' }, { dataDir });
          try {
            const dir = join(dataDir, 'quarantine');
            const names = (() => {
              try {
                return readdirSync(dir);
              } catch {
                return [];
              }
            })();
            const quarantined = names.flatMap((name) =>
              readFileSync(join(dir, name), 'utf8')
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line)),
            );
            await checkInvariants(reader.db, website, ledger, quarantinedPaths(quarantined));
          } finally {
            await reader.stopKeepingData();
          }
        } finally {
          await child.current?.kill('SIGKILL');
          removeTempDir(dataDir);
        }
      }),
      // Shrinking re-runs whole lives of child processes (minutes); the seed in a failure replays it.
      { numRuns: runs, endOnFailure: true },
    );
  });
});
