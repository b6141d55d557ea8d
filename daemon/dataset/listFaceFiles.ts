/**
 * The walk of a dataset (`scan.ts` says what it finds): every file that can hold a face, stat'ed, in a stable order.
 * Runs in the daemon's scan worker (scanThread.ts), or in the caller's thread where there is none (tests, benches).
 */
import { statSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, type DatasetEntry, type FileFailure } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import { IMAGE_FILE } from '../image/imageFileRule';
import { faceFileKind, type FaceFileKind } from '../image/formats';
import { checkStats } from '../storage/regularFile';
import { resolveInside, toDatasetPath } from './paths';

export interface DatasetScan {
  /** The images Veil reads (by their names), relative to the root. */
  entries: DatasetEntry[];
  /** The files that can hold a face but that Veil refuses, each with its cause. */
  refused: FileFailure[];
}

/** `.veil/` and every other hidden file or folder stay out of the scan. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Files stat'ed per turn of the event loop. Awaited one at a time, the stats of a 10,000-image dataset took 460–530 ms,
 * most of the first read of it; 32 at once 56–75 ms but 105–240 ms of CPU (a promise and a thread-pool hand-off each,
 * and their garbage); `statSync` takes 24–38 ms of CPU for all of them (2-core development machine). A turn of 500
 * holds the daemon's other requests for a millisecond or two.
 */
const STATS_PER_TURN = 500;

/** Every file under `root` (or only under its subfolder `scope`) that can hold a face, whatever a person decided. */
export async function listFaceFiles(root: string, scope = ''): Promise<DatasetScan> {
  const named: Array<{ path: string; file: string; kind: FaceFileKind; link: boolean }> = [];
  // `prefix` is the folder's dataset path with its '/': joined as the walk goes down, since `relative` from the root
  // for every file cost 140–160 ms of CPU per scan of 100,000 images (a `--cpu-prof` profile of dataset/open).
  async function walk(dir: string, prefix: string): Promise<void> {
    const folders: Array<[string, string]> = [];
    for (const child of await readdir(dir, { withFileTypes: true })) {
      if (isHidden(child.name)) continue;
      const path = join(dir, child.name);
      if (child.isDirectory()) {
        folders.push([path, `${prefix}${child.name}/`]);
        continue;
      }
      const kind = faceFileKind(child.name);
      if (kind) named.push({ path, file: `${prefix}${child.name}`, kind, link: child.isSymbolicLink() });
    }
    // Sibling folders are read at once too: 20 folders of 500 images took 23–98 ms one after another, 6–18 ms at once
    // (measured side by side on the loaded 2-core machine).
    await Promise.all(folders.map(([path, folder]) => walk(path, folder)));
  }
  await (scope === '' ? walk(root, '') : walk(join(root, scope), `${toDatasetPath(root, join(root, scope))}/`));
  const entries: DatasetEntry[] = [];
  const refused: FileFailure[] = [];
  function look({ path, file, kind, link }: (typeof named)[number]): void {
    // A link to nowhere or to a folder holds no face of its own (a linked folder is not walked: it may lead outside).
    const info = statIfAny(path);
    if (!info || info.isDirectory()) return;
    try {
      if (!info.isFile()) checkStats(info, file, IMAGE_FILE);
      // Resolving every path instead cost 1.0–1.2 s of CPU per dataset/open of 100,000 images (bench/largeDataset.ts).
      if (link) resolveInside(root, file);
      if ('refused' in kind) throw new VeilError(ErrorCode.UnsupportedFormat, kind.refused, file);
      entries.push({ file, bytes: info.size, mtimeMs: info.mtimeMs });
    } catch (error) {
      refused.push(fileFailure(file, error));
    }
  }
  for (let start = 0; start < named.length; start += STATS_PER_TURN) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    named.slice(start, start + STATS_PER_TURN).forEach(look);
  }
  return { entries: entries.sort((a, b) => a.file.localeCompare(b.file)), refused: refused.sort((a, b) => a.file.localeCompare(b.file)) };
}

/** The stats of `path` (a link followed), or undefined when it cannot be stat'ed (gone, a link to nowhere or a loop). */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
