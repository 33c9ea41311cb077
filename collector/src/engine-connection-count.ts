/**
 * Connections to the embedded engine when ENGINE_CONNECTIONS is not set: slow reads hold some
 * while other reads, the visit-rollup job and writes of settings use the others. With 4, three
 * filtered reads (two statements each) held them all and a stats read waited; 8 leaves room, and
 * 16 measured no better on 2 cores (npm run bench:readers).
 */
export const defaultEngineConnections = 8;
