/** Lists the images of a dataset, recursively, in a stable order; `.veil/` and hidden folders are skipped. */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DatasetEntry, FileFailure } from '../protocol';
import { fileFailure } from '../errors';
import { IMAGE_EXTENSIONS, IMAGE_FILE } from '../image/decode';
import { checkStats } from '../storage/regularFile';
import { toDatasetPath } from './paths';

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The images under `root` (or only under its subfolder `scope`), relative to `root`. */
export async function scanDataset(root: string, scope = ''): Promise<DatasetEntry[]> {
  return (await scanDatasetReporting(root, scope)).entries;
}

/**
 * The images, and what is named like an image but is no regular file (a named pipe, a socket, a device): those are
 * never opened (a FIFO would block the reader), and detection and review report each as a failure of that file.
 */
export async function scanDatasetReporting(root: string, scope = ''): Promise<{ entries: DatasetEntry[]; refused: FileFailure[] }> {
  const entries: DatasetEntry[] = [];
  const refused: FileFailure[] = [];
  async function walk(dir: string): Promise<void> {
    const children = await readdir(dir, { withFileTypes: true });
    for (const child of children) {
      if (child.name.startsWith('.')) continue;
      const path = join(dir, child.name);
      if (child.isDirectory()) await walk(path);
      else if (isImageName(child.name)) {
        const info = await stat(path).catch(() => undefined);
        const file = toDatasetPath(root, path);
        if (info?.isFile()) entries.push({ file, bytes: info.size, mtimeMs: info.mtimeMs });
        else if (info && !info.isDirectory()) {
          try {
            checkStats(info, file, IMAGE_FILE);
          } catch (error) {
            refused.push(fileFailure(file, error));
          }
        }
      }
    }
  }
  await walk(scope === '' ? root : join(root, scope));
  return { entries: entries.sort((a, b) => a.file.localeCompare(b.file)), refused: refused.sort((a, b) => a.file.localeCompare(b.file)) };
}
