/** Limits on custom event data (and identify data). */
export const eventDataLimits = { maxKeys: 50, maxDepth: 3 } as const;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why event data is refused, or null when it is fine: more than 50 keys in all, nesting deeper
 * than 3 levels (an order under `commerce`: 4, its keys not counted), or a key that could poison
 * prototypes where the data is used later.
 */
export function eventDataProblem(data: Record<string, unknown>): string | null {
  let keys = 0;
  const visit = (value: unknown, depth: number, maxDepth: number, counted: boolean): string | null => {
    if (value === null || typeof value !== 'object') return null;
    if (depth > maxDepth) return `data is nested deeper than ${maxDepth} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (forbiddenKeys.has(key)) return `data may not have a "${key}" key`;
      if (counted && !Array.isArray(value) && ++keys > eventDataLimits.maxKeys) return `data has more than ${eventDataLimits.maxKeys} keys`;
      // An order (`commerce`: items with their fields) has its own limits (revenue.ts), one level deeper and not counted here.
      const isOrder = depth === 1 && key === 'commerce';
      const problem = visit(child, depth + 1, isOrder ? eventDataLimits.maxDepth + 1 : maxDepth, counted && !isOrder);
      if (problem) return problem;
    }
    return null;
  };
  return visit(data, 1, eventDataLimits.maxDepth, true);
}
