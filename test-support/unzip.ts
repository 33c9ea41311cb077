// Tests read archives with the collector's own reader (collector/src/shared/unzip.ts, tested beside it).
export { unzip } from '../collector/src/shared/unzip';
