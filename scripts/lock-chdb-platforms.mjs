// chdb's native library comes as one optional package per platform. Where the registry serves only
// this machine's platform, `npm install` leaves the others out of package-lock.json, and `npm ci`
// then refuses the lock ("Missing: @chdb/lib-darwin-arm64 from lock file"). This adds entries for
// the missing ones, marked optional with their os/cpu, so `npm ci` skips them everywhere else.
// Run it after regenerating package-lock.json from scratch.
import { readFileSync, writeFileSync } from 'node:fs';

const platforms = {
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
};

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const chdb = lock.packages['node_modules/chdb'];
let added = 0;
for (const [name, version] of Object.entries(chdb?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name.replace('@chdb/lib-', '')];
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = { version, ...platform, license: 'Apache-2.0', optional: true };
  added += 1;
}
const [root, ...rest] = Object.keys(lock.packages);
const ordered = [root, ...rest.sort()];
lock.packages = Object.fromEntries(ordered.map((key) => [key, lock.packages[key]]));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} chdb platform entries to package-lock.json`);
