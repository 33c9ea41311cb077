/** Builds dist/tracker.js and dist/collector.mjs. */
export function buildAll(): Promise<void>;
