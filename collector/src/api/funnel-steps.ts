import { ApiError } from '../errors';

/** A funnel step, as Umami's client sends it: a page path (`*` at either end for any text) or a custom event's name. */
export interface FunnelStep {
  type: 'path' | 'event';
  value: string;
}

export const funnelLimits = { minSteps: 2, maxSteps: 8, valueLength: 500, maxWindowMinutes: 60 * 24 * 31 } as const;

/** The `steps` parameter (a JSON array of `{type, value}`), checked; 400 naming what is wrong. */
export function parseSteps(raw: string): FunnelStep[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError('badRequest', 'steps must be a JSON array of {type, value}');
  }
  if (!Array.isArray(parsed) || parsed.length < funnelLimits.minSteps || parsed.length > funnelLimits.maxSteps) {
    throw new ApiError('badRequest', `steps must be a JSON array of ${funnelLimits.minSteps} to ${funnelLimits.maxSteps} steps`);
  }
  return parsed.map((step, i) => {
    const { type, value } = (step ?? {}) as Record<string, unknown>;
    if ((type !== 'path' && type !== 'event') || typeof value !== 'string' || value === '' || value.length > funnelLimits.valueLength) {
      throw new ApiError('badRequest', `step ${i + 1} must be {type: "path" or "event", value: 1 to ${funnelLimits.valueLength} characters}`);
    }
    return { type, value };
  });
}

/** Umami's step figures from the visitors who reached each step. */
export function funnelFigures(steps: FunnelStep[], reached: number[]) {
  const first = reached[0] ?? 0;
  return steps.map((step, i) => {
    const visitors = reached[i] ?? 0;
    const previous = i === 0 ? 0 : (reached[i - 1] ?? 0);
    const dropped = previous > 0 ? previous - visitors : 0;
    return {
      ...step,
      visitors,
      previous,
      dropped,
      // Umami divides by `previous`; for the first step (no previous) and an empty one this is 0, not NaN.
      dropoff: previous > 0 ? 1 - visitors / previous : 0,
      remaining: first > 0 ? visitors / first : 0,
    };
  });
}

/** A step's value as a LIKE pattern when it starts or ends with `*` (Umami's wildcard), else null for an exact match. */
export function stepPattern(value: string): string | null {
  if (!value.startsWith('*') && !value.endsWith('*')) return null;
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return escaped.replace(/^\*/, '%').replace(/\*$/, '%');
}
