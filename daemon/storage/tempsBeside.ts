/**
 * Temp files a killed writer left beside the files it was replacing (`tempPathFor` names them `.<name>.veil-tmp-…`):
 * removed by the next writer of those files, under the lock (or in the folder) that shuts the killed one's kind out;
 * verify reports any left as `stray-temp`. Each folder is listed once, however many of its files are given.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TEMP_MARKER, isTempName } from './durable';

export async function removeTempsBeside(paths: readonly string[]): Promise<void> {
  const byFolder = new Map<string, Set<string>>();
  for (const path of paths) byFolder.set(dirname(path), (byFolder.get(dirname(path)) ?? new Set()).add(basename(path)));
  for (const [folder, names] of byFolder) {
    const found = await readdir(folder).catch(() => [] as string[]);
    const temps = found.filter((name) => isTempName(name) && names.has(name.slice(1, name.lastIndexOf(TEMP_MARKER))));
    await Promise.all(temps.map((name) => rm(join(folder, name), { force: true })));
  }
}
