import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** No module of ours imports itself through others: every import graph is a tree of layers. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const folders = ['collector/src', 'dashboard/src', 'tracker/src', 'test-support', 'bench'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The modules a file imports at run time (type-only imports leave no edge). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.flatMap((specifier) => {
    const base = resolve(dirname(file), specifier);
    const found = ['', '.ts', '.tsx', '/index.ts'].map((ext) => base + ext).find((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
    return found && /\.tsx?$/.test(found) ? [found] : [];
  });
}

describe('imports', () => {
  it('have no cycle', () => {
    const graph = new Map(folders.flatMap((folder) => sources(join(root, folder))).map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((p) => relative(root, p)).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
  });

  // The read side runs one way (docs/architecture.md): api/ → reads/ → storage/. Type-only
  // imports leave no edge (reads/ names its answers' types from api/analytics-schemas.ts).
  it('run one way on the read side: api/ → reads/ → storage/', () => {
    const folderOf = (file: string) => relative(join(root, 'collector/src'), file).split('/')[0]!;
    const below: Record<string, string[]> = { reads: ['api'], storage: ['api', 'reads'] };
    const backwards = Object.entries(below).flatMap(([folder, above]) =>
      sources(join(root, 'collector/src', folder)).flatMap((file) =>
        importsOf(file)
          .filter((target) => above.includes(folderOf(target)))
          .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
      ),
    );
    expect(sources(join(root, 'collector/src/reads')).length).toBeGreaterThan(20);
    expect(backwards).toEqual([]);
  });
});
