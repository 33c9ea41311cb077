// Builds dist/ (tracker bundle and collector bundle) once before any test file runs.
import { buildAll } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await buildAll();
}
