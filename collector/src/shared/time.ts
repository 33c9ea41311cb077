/** Time in Unix milliseconds, as both sides count it (UTC days: the salt's, the rollups'). */
export const hourMs = 3_600_000;
export const dayMs = 86_400_000;

/** A Unix ms time's UTC day, YYYY-MM-DD. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
