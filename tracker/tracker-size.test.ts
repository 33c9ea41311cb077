import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The budget from the tracker issue: 0.8 × Umami v2.10's tracker as the issue measured it (1,627 B). */
const budgetBytes = 1300;

const gzip9 = (code: string | Buffer) => gzipSync(code, { level: 9 }).length;

describe('tracker size', () => {
  const ours = readFileSync(new URL('../dist/tracker.js', import.meta.url));
  const umamiSource = readFileSync(new URL('../e2e/fixtures/umami-2.10.0/tracker.js', import.meta.url), 'utf8');
  const umami = transformSync(umamiSource, { minify: true }).code;

  it(`stays within ${budgetBytes} bytes, minified and gzip -9`, () => {
    const size = gzip9(ours);
    console.log(`tracker: ${ours.length} B minified, ${size} B gzip -9; Umami v2.10 the same way: ${gzip9(umami)} B`);
    expect(size).toBeLessThanOrEqual(budgetBytes);
  });

  it("is smaller than Umami v2.10's tracker, minified and gzipped the same way", () => {
    expect(gzip9(ours)).toBeLessThan(gzip9(umami));
  });
});
