/** Removes temp files a killed writer left behind (outputs next to images, vault objects, journal, lock). */
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { veilDir, veilPath } from '../dataset/layout';
import { isTempName } from '../storage/durable';

/** Temp files in `dirs`; only called while holding the dataset lock. */
export async function findStrayTemps(dirs: Iterable<string>): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    found.push(...names.filter(isTempName).map((name) => join(dir, name)));
  }
  return found;
}

/** Every folder a commit writes temp files into, for a dataset whose images are `files` (relative). */
export function commitFolders(root: string, files: readonly string[]): Set<string> {
  const dirs = new Set([veilDir(root), veilPath(root, 'vault'), veilPath(root, 'journal')]);
  for (const file of files) dirs.add(dirname(join(root, file)));
  return dirs;
}

export async function removeStrayTemps(root: string, files: readonly string[]): Promise<number> {
  const stray = await findStrayTemps(commitFolders(root, files));
  await Promise.all(stray.map((path) => rm(path, { force: true })));
  return stray.length;
}
