// Run by engine-template.ts in a process of its own (one engine per process): opens a fresh
// embedded engine in the directory it is given, applies every migration, closes.
import { loadConfig } from '../collector/src/config';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: engine-template-main DATA_DIR');
const db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
await migrate(db, undefined, { shared: false, cluster: null });
await db.close();
