/**
 * The collector settings a bench takes from its own environment and hands to the collectors it
 * starts, to compare settings (`BATCH_MAX_ROWS=20000 npm run bench -- --mixed`). Only these: the
 * rest of a collector's environment is the bench's to choose.
 */
const passedSettings = [
  'BATCH_INTERVAL_MS',
  'BATCH_MAX_ROWS',
  'ENGINE_NICE',
  // A probe loaded into the collector (--require), and its output: see query-probe.cjs.
  'NODE_OPTIONS',
  'QUERY_PROBE_OUT',
] as const;

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(passedSettings.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}
