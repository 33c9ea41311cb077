import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { checkInvariants, newLedger, oddBeacon, oddFields, quarantinedPaths, spoilLine, type OddFields } from '../../../test-support/ingest-ledger';
import { hostileText } from '../../../test-support/hostile-strings';
import { insertLines, type Insert } from '../storage/batch-insert';
import { removeTempDir } from '../../../test-support/temp-dir';

/**
 * Random sequences of what ingest lives through, against the real embedded engine: sends of odd
 * beacons (alone and in parallel), rows ClickHouse refuses, outages before and after an insert
 * stored its rows, explicit flushes and restarts on the same data directory. After each
 * sequence the spool drains and the invariants hold (test-support/ingest-ledger.ts).
 * PROPERTY_RUNS sets how many sequences (default 20; e.g. 200 for a long run).
 */
const runs = Number(process.env.PROPERTY_RUNS ?? 20);

type Op =
  | { kind: 'send'; beacons: { spoiled: boolean; odd: OddFields }[] }
  | { kind: 'identify'; id: string }
  | { kind: 'outage'; after: number; inserts: number; afterStoring: boolean }
  | { kind: 'flush' }
  | { kind: 'restart' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      beacons: fc.array(fc.record({ spoiled: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), odd: oddFields }), { minLength: 1, maxLength: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('identify' as const), id: hostileText(20) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('outage' as const),
      after: fc.integer({ min: 0, max: 8 }),
      inserts: fc.integer({ min: 1, max: 3 }),
      afterStoring: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

const settings = fc.record({ batchMaxRows: fc.integer({ min: 1, max: 20 }), batchIntervalMs: fc.constantFrom(10, 50, 200) });

async function heartbeatRows(c: TestCollector): Promise<number> {
  return ((await (await c.request('/api/heartbeat')).json()) as { backlog: { rows: number } }).backlog.rows;
}

describe('ingest invariants over random sequences (fast-check)', () => {
  it(`hold after each of ${runs} sequences of sends, refusals, outages, flushes and restarts`, { timeout: 60_000 + runs * 20_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(settings, fc.array(op, { minLength: 1, maxLength: 10 }), async ({ batchMaxRows, batchIntervalMs }, ops) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'ingest-property-'));
        const ledger = newLedger();
        // Faults by insert call number: an outage may start a few inserts from now, in the middle
        // of splitting a refused batch as well as at a batch's first try.
        const faults = new Map<number, 'before' | 'after'>();
        let calls = 0;
        const running: { current: TestCollector | null } = { current: null };
        const insert: Insert = async (table, lines, token) => {
          const fault = faults.get(++calls);
          if (fault === 'before') throw new Error('injected: ClickHouse is unreachable');
          await insertLines(running.current!.db)(table, lines.map(spoilLine), token);
          if (fault === 'after') throw new Error('injected: the answer was lost after the insert');
        };
        const env = {
          BATCH_MAX_ROWS: String(batchMaxRows),
          BATCH_INTERVAL_MS: String(batchIntervalMs),
          SHUTDOWN_TIMEOUT_MS: '200',
          INSERT_RETRY_MAX_MS: '1000',
          VISIT_ROLLUP_INTERVAL_MS: '0',
        };
        const start = async () => (running.current = await startTestCollector(env, { dataDir, insert }));
        try {
          await start();
          const website = await running.current!.createWebsite(await running.current!.login());
          let next = 0;
          for (const step of ops) {
            const c = running.current!;
            if (step.kind === 'send') {
              await Promise.all(
                step.beacons.map(async ({ spoiled, odd }, i) => {
                  const path = `/${spoiled ? 'spoiled' : 'ok'}/${next++}`;
                  const response = await c.send(oddBeacon(website, path, odd), { 'x-forwarded-for': `198.51.100.${i + 1}` });
                  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
                  ledger.acked.add(path);
                  if (spoiled) ledger.spoiled.add(path);
                }),
              );
            } else if (step.kind === 'identify') {
              const id = `d${next++}`;
              const response = await c.send({ type: 'identify', payload: { website, id: `${id}:${step.id}`, data: { [step.id]: step.id } } });
              if (response.status !== 200) throw new Error(`identify: ${response.status} ${await response.text()}`);
              ledger.identified.add(id);
            } else if (step.kind === 'outage') {
              for (let i = 1; i <= step.inserts; i++) faults.set(calls + step.after + i, step.afterStoring ? 'after' : 'before');
            } else if (step.kind === 'flush') {
              await c.flush().catch(() => {});
            } else {
              await c.stopKeepingData();
              await start();
            }
          }
          faults.clear();
          const deadline = Date.now() + 60_000;
          while ((await heartbeatRows(running.current!)) > 0) {
            if (Date.now() > deadline) throw new Error('the spool did not drain');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const dir = join(dataDir, 'quarantine');
          const quarantined = readdirSync(dir).flatMap((name) =>
            readFileSync(join(dir, name), 'utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line)),
          );
          await checkInvariants(running.current!.db, website, ledger, quarantinedPaths(quarantined));
        } finally {
          await running.current?.stopKeepingData();
          removeTempDir(dataDir);
        }
      }),
      { numRuns: runs },
    );
  });
});
