/** Removes temp files a killed writer left behind (outputs next to images, vault objects, journal, lock). */
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VEIL_DIR } from '../review/store';
import { isTempName } from '../storage/durable';
import { vaultDir } from '../vault/vault';
import { journalDir } from './journal';

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
  const dirs = new Set([join(root, VEIL_DIR), vaultDir(root), journalDir(root)]);
  for (const file of files) dirs.add(dirname(join(root, file)));
  return dirs;
}

export async function removeStrayTemps(root: string, files: readonly string[]): Promise<number> {
  const stray = await findStrayTemps(commitFolders(root, files));
  await Promise.all(stray.map((path) => rm(path, { force: true })));
  return stray.length;
}
