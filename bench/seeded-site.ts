import { randomBytes } from 'node:crypto';
import type { StoredUser } from '../collector/src/auth/users';
import type { RunningCollector } from '../collector/src/start';
import { rows } from '../collector/src/storage/client';
import { signIn } from './bench-site';

/** The newest "Seeded site" (npm run seed) of a running collector, and a fresh bench admin (`user`, to delete after) with a token to read it with. */
export async function seededSite(collector: RunningCollector): Promise<{ id: string; token: string; user: StoredUser }> {
  const [site] = await rows<{ id: string }>(
    collector.db,
    "SELECT toString(id) AS id FROM websites FINAL WHERE deleted = 0 AND name = 'Seeded site' ORDER BY created_at DESC LIMIT 1",
  );
  if (!site) throw new Error('no "Seeded site" in DATA_DIR: run npm run seed first');
  const password = randomBytes(16).toString('base64url');
  const user = await collector.users.create(`bench-${randomBytes(4).toString('hex')}`, password, 'admin');
  return { id: site.id, token: await signIn(collector.url, user.username, password), user };
}
