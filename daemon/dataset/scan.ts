/**
 * Lists the files of a dataset that can hold a face (image/formats.ts names them), recursively, in a stable order;
 * `.veil/` and hidden folders are skipped. Images Veil reads are entries; every other such file is refused at once,
 * never opened: a format Veil does not anonymize (a video, HEIC), no regular file (a named pipe, a socket, a
 * device: opening a FIFO would block the reader) or a link leading outside the dataset. Only real folders are walked
 * from the real root, so an entry's path is real unless the entry itself is a link: readers need not resolve it again.
 *
 * In the daemon a walk paired with the reading of the review state runs in its scan worker (scanThread.ts), beside it;
 * any other walk, and every walk outside the daemon (tests, benches), in the caller's thread (listFaceFiles.ts).
 */
import { basename } from 'node:path';
import type { DatasetEntry, ExcludedFile } from '../protocol';
import { faceFileKind, type FaceFileKind } from '../image/formats';
import { readExclusions } from '../review/exclusions';
import { isHidden, listFaceFiles, type DatasetScan } from './listFaceFiles';
import { scanInWorker, scansInWorker } from './scanThread';

/** What a scan makes of the dataset file `file` (relative to the root): its kind, or undefined when it never lists it. */
export function scannedKind(file: string): FaceFileKind | undefined {
  return file.split('/').some(isHidden) ? undefined : faceFileKind(basename(file));
}

/**
 * Where a scan runs: `beside` other work of this thread (the review state's read: OpenDatasets.openScanned), in the
 * daemon's scan worker; `here`, in this thread. A scan with nothing beside it gains nothing from the worker and pays
 * its start, 35–50 ms of CPU (a shard's detect or commit process scans once, then works).
 */
export type ScanPlace = 'beside' | 'here';

/** Every file under `root` (or only under its subfolder `scope`) that can hold a face, whatever a person decided. */
export function scanFaceFiles(root: string, scope = '', place: ScanPlace = 'here'): Promise<DatasetScan> {
  return place === 'beside' && scansInWorker() ? scanInWorker(root, scope) : listFaceFiles(root, scope);
}

/** The images Veil reads under `root` (or `scope`), excluded ones too. */
export async function scanDataset(root: string, scope = '', place: ScanPlace = 'here'): Promise<DatasetEntry[]> {
  return (await scanFaceFiles(root, scope, place)).entries;
}

export type ScanReport = DatasetScan & { excluded: ExcludedFile[] };

/**
 * The files detection and review work on: those a person excluded from anonymization (`veil exclude`) are left out,
 * so an excluded video is not reported as a failure again on every run; they are listed apart (`excluded`, by path).
 */
export async function scanDatasetReporting(root: string, scope = '', place: ScanPlace = 'here'): Promise<ScanReport> {
  const [scan, exclusions] = await Promise.all([scanFaceFiles(root, scope, place), readExclusions(root)]);
  const scanned = [...scan.entries.map((entry) => entry.file), ...scan.refused.map((failure) => failure.file)].sort((a, b) => a.localeCompare(b));
  return {
    entries: scan.entries.filter((entry) => !exclusions.has(entry.file)),
    refused: scan.refused.filter((failure) => !exclusions.has(failure.file)),
    excluded: scanned.flatMap((file) => {
      const exclusion = exclusions.get(file);
      return exclusion ? [{ file, ...exclusion }] : [];
    }),
  };
}
