/** Lists the images of a dataset, recursively, in a stable order; `.veil/` and hidden folders are skipped. */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DatasetEntry } from '../protocol';
import { IMAGE_EXTENSIONS } from '../image/decode';
import { toDatasetPath } from './paths';

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The images under `root` (or only under its subfolder `scope`), relative to `root`. */
export async function scanDataset(root: string, scope = ''): Promise<DatasetEntry[]> {
  const entries: DatasetEntry[] = [];
  async function walk(dir: string): Promise<void> {
    const children = await readdir(dir, { withFileTypes: true });
    for (const child of children) {
      if (child.name.startsWith('.')) continue;
      const path = join(dir, child.name);
      if (child.isDirectory()) await walk(path);
      else if ((child.isFile() || child.isSymbolicLink()) && isImageName(child.name)) {
        const info = await stat(path).catch(() => undefined);
        if (info?.isFile()) entries.push({ file: toDatasetPath(root, path), bytes: info.size, mtimeMs: info.mtimeMs });
      }
    }
  }
  await walk(scope === '' ? root : join(root, scope));
  return entries.sort((a, b) => a.file.localeCompare(b.file));
}
