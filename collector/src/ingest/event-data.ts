/** Limits on custom event data (and identify data). */
export const eventDataLimits = { maxKeys: 50, maxDepth: 3 } as const;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why event data is refused, or null when it is fine: more than 50 keys in all, nesting deeper
 * than 3 levels, or a key that could poison prototypes where the data is used later.
 */
export function eventDataProblem(data: Record<string, unknown>): string | null {
  let keys = 0;
  const visit = (value: unknown, depth: number): string | null => {
    if (value === null || typeof value !== 'object') return null;
    if (depth > eventDataLimits.maxDepth) return `data is nested deeper than ${eventDataLimits.maxDepth} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (forbiddenKeys.has(key)) return `data may not have a "${key}" key`;
      if (!Array.isArray(value) && ++keys > eventDataLimits.maxKeys) return `data has more than ${eventDataLimits.maxKeys} keys`;
      const problem = visit(child, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return visit(data, 1);
}
