/**
 * Lists the files of a dataset that can hold a face (image/formats.ts names them), recursively, in a stable order;
 * `.veil/` and hidden folders are skipped. Images Veil reads are entries; every other such file is refused at once,
 * never opened: a format Veil does not anonymize (a video, HEIC) or no regular file (a named pipe, a socket, a
 * device: opening a FIFO would block the reader).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ErrorCode, type DatasetEntry, type FileFailure } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import { IMAGE_FILE } from '../image/decode';
import { faceFileKind, type FaceFileKind } from '../image/formats';
import { checkStats } from '../storage/regularFile';
import { readExclusions } from '../review/exclusions';
import { toDatasetPath } from './paths';

export interface DatasetScan {
  /** The images Veil reads (by their names), relative to the root. */
  entries: DatasetEntry[];
  /** The files that can hold a face but that Veil refuses, each with its cause. */
  refused: FileFailure[];
}

/** `.veil/` and every other hidden file or folder stay out of the scan. */
function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** What a scan makes of the dataset file `file` (relative to the root): its kind, or undefined when it never lists it. */
export function scannedKind(file: string): FaceFileKind | undefined {
  return file.split('/').some(isHidden) ? undefined : faceFileKind(basename(file));
}

/** Every file under `root` (or only under its subfolder `scope`) that can hold a face, whatever a person decided. */
export async function scanFaceFiles(root: string, scope = ''): Promise<DatasetScan> {
  const entries: DatasetEntry[] = [];
  const refused: FileFailure[] = [];
  async function walk(dir: string): Promise<void> {
    const children = await readdir(dir, { withFileTypes: true });
    for (const child of children) {
      if (isHidden(child.name)) continue;
      const path = join(dir, child.name);
      if (child.isDirectory()) {
        await walk(path);
        continue;
      }
      const kind = faceFileKind(child.name);
      if (!kind) continue;
      // A link to nowhere or to a folder holds no face of its own (a linked folder is not walked: it may lead outside).
      const info = await stat(path).catch(() => undefined);
      if (!info || info.isDirectory()) continue;
      const file = toDatasetPath(root, path);
      try {
        if (!info.isFile()) checkStats(info, file, IMAGE_FILE);
        if ('refused' in kind) throw new VeilError(ErrorCode.UnsupportedFormat, kind.refused, file);
        entries.push({ file, bytes: info.size, mtimeMs: info.mtimeMs });
      } catch (error) {
        refused.push(fileFailure(file, error));
      }
    }
  }
  await walk(scope === '' ? root : join(root, scope));
  return { entries: entries.sort((a, b) => a.file.localeCompare(b.file)), refused: refused.sort((a, b) => a.file.localeCompare(b.file)) };
}

/** The images Veil reads under `root` (or `scope`), excluded ones too. */
export async function scanDataset(root: string, scope = ''): Promise<DatasetEntry[]> {
  return (await scanFaceFiles(root, scope)).entries;
}

/**
 * The files detection and review work on: those a person excluded from anonymization (`veil exclude`) are left out,
 * so an excluded video is not reported as a failure again on every run.
 */
export async function scanDatasetReporting(root: string, scope = ''): Promise<DatasetScan> {
  const [scan, excluded] = await Promise.all([scanFaceFiles(root, scope), readExclusions(root)]);
  return { entries: scan.entries.filter((entry) => !excluded.has(entry.file)), refused: scan.refused.filter((failure) => !excluded.has(failure.file)) };
}
