import { describe, expect, it } from 'vitest';
import { lockStatements } from './migrate';
import { migrations } from './migrations';
import { rolledUpMetrics, statsDimensions } from './rollups';
import { dailyRollups } from './shipped/0005-daily-rollups';

/**
 * A shipped migration never changes: installs old and new must hold the same schema. Every
 * statement's text is kept in shipped-migrations.sql; a change to any of them fails here. (A
 * new migration appends to the file: regenerate it with `npx vitest run -u` on this test and
 * review that only the new version was added.)
 */
describe('shipped migrations', () => {
  it('are the text of shipped-migrations.sql', async () => {
    const text = [
      '-- The lock and the list of applied migrations, created before any migration.',
      ...lockStatements.map((statement) => `${statement};`),
      ...migrations.flatMap((m) => [`\n-- ${m.version}: ${m.name}`, ...m.statements.map((statement) => `${statement};`)]),
    ].join('\n');
    await expect(`${text}\n`).toMatchFileSnapshot('./shipped-migrations.sql');
  });

  it('are numbered 1, 2, 3 … without gaps or repeats', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('name the metrics and dimensions the read queries expect the daily views to keep', () => {
    const view = dailyRollups.join('\n');
    expect(/ARRAY JOIN \[([^\]]*)\] AS metric/.exec(view)?.[1]).toBe(rolledUpMetrics.map((m) => `'${m}'`).join(', '));
    expect(/ARRAY JOIN \['', ([^\]]*)\] AS dimension/.exec(view)?.[1]).toBe(statsDimensions.map((d) => `'${d}'`).join(', '));
  });
});
