// Before any test file runs: builds dist/ (tracker, dashboard and collector bundles) and makes
// the migrated engine that test collectors start from (engine-template.ts).
import { join } from 'node:path';
import { buildAll } from '../scripts/build.mjs';
import { makeEngineTemplate } from './engine-template';
import { removeTempDir } from './temp-dir';

export default async function setup(): Promise<() => void> {
  const [, template] = await Promise.all([buildAll(), makeEngineTemplate()]);
  // Test files run in forks of this process, which inherit its environment.
  process.env.TEST_ENGINE_TEMPLATE = template;
  return () => removeTempDir(join(template, '..'));
}
