/** Where tests find the repository, the built bundles and the read-only shared data. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder holding package.json above this bundle (tests are bundled at several depths under out/test). */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '..', '..', '..');
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const DIST = join(REPO_ROOT, 'dist');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const SHARED = process.env.VEIL_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');

/**
 * Skips the calling suite when ../shared is absent (a user's fresh clone), saying so clearly.
 * In CI (CI=true) the shared folder must be there: its absence fails the suite instead.
 */
export function requireShared(ctx: Mocha.Context, ...parts: string[]): string {
  const path = join(SHARED, ...parts);
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') throw new Error(`CI needs ${path} (../shared is part of the CI checkout)`);
  console.warn(`  (skipped: ${path} is absent; these tests need ../shared beside the repository)`);
  ctx.skip();
  return path;
}
