/**
 * A backup folder: what it holds and where.
 *
 * ```
 * <backup>/
 *   VEIL-BACKUP                     what the folder is: the format, its id, where to read how to restore it (no names)
 *   blobs/<sha256>                  every stored file, named by the sha256 of its bytes: shared by every dataset and
 *                                   generation, written once, never changed (vault objects as they are, the rest sealed)
 *   datasets/<dataset id>/<n>.age   each generation's manifest (manifest.ts), sealed to the dataset's custodians
 *   lock                            one backup or restore at a time
 * ```
 *
 * Without a custodian's key the folder tells only how many datasets, generations and blobs it holds, their sizes and times.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { isTempName, syncDir, tempPathFor, writeSynced } from '../storage/durable';
import { acquireLockFile, type DatasetLock } from '../storage/lock';
import { readRegularFile } from '../storage/regularFile';

export const BACKUP_LAYOUT = {
  marker: 'VEIL-BACKUP',
  blobs: 'blobs',
  datasets: 'datasets',
  lock: 'lock',
} as const;

const MARKER_FORMAT = 'veil-backup 1';
const MAX_MARKER_BYTES = 64 * 1024;

export interface BackupFolder {
  /** Real path. */
  dir: string;
  /** Random, written once into VEIL-BACKUP: a cache or an audit entry names the folder by it, wherever it is mounted. */
  backupId: string;
}

function markerText(backupId: string): string {
  return [
    MARKER_FORMAT,
    `id ${backupId}`,
    '',
    'This folder holds backups of Veil datasets. blobs/ holds every file, named by the sha256 of its bytes: the vault',
    "objects as they are (age-encrypted to each dataset's custodians) and everything else sealed with age to them too.",
    'datasets/<id>/<generation>.age is the manifest of each backup, sealed the same way. Restore with',
    '`veil restore-backup <this folder> <empty folder> --identity FILE`, or by hand with the stock `age` CLI: see',
    'the README of Veil, "Backup and disaster recovery".',
    '',
  ].join('\n');
}

function badFolder(dir: string, problem: string): VeilError {
  return new VeilError(ErrorCode.BadPath, problem, dir);
}

async function readBackupId(dir: string): Promise<string | undefined> {
  const path = join(dir, BACKUP_LAYOUT.marker);
  if (!(await stat(path).catch(() => undefined))) return undefined;
  // A regular file of a few lines: a FIFO put there must not hang the daemon.
  const text = (await readRegularFile(path, path, { what: `a ${BACKUP_LAYOUT.marker} file`, maxBytes: MAX_MARKER_BYTES })).toString('utf8');
  const [format, idLine] = text.split('\n');
  const id = /^id ([0-9a-f-]{36})$/.exec(idLine ?? '')?.[1];
  if (format !== MARKER_FORMAT || !id) throw badFolder(dir, `its ${BACKUP_LAYOUT.marker} file is not one Veil wrote (expected "${MARKER_FORMAT}" and an id)`);
  return id;
}

/** Creates a folder (and its parents), refusing with BadPath what the OS refuses (no permission, a file in the way). */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw badFolder(path, `cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The folder's real path, undefined when it does not exist; refuses one that is not a folder. */
async function folderAt(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) throw badFolder(path, 'is not a folder');
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The backup folder at `path` to write to: created (with its parents) when missing; an empty folder becomes one; a
 * folder holding anything else without a VEIL-BACKUP file is refused (a backup never writes among someone's files).
 */
export async function openForBackup(path: string): Promise<BackupFolder> {
  let dir = await folderAt(path);
  if (dir === undefined) {
    await makeFolder(path);
    dir = await realpath(path);
  }
  const existing = await readBackupId(dir);
  if (existing) return { dir, backupId: existing };
  const names = await readdir(dir);
  if (names.length > 0) throw badFolder(dir, `holds files but no ${BACKUP_LAYOUT.marker} file: not a Veil backup folder; choose an empty folder or an existing backup`);
  // Linked into place, never renamed over: of two runs starting on one empty folder, the first marker stays.
  const marker = join(dir, BACKUP_LAYOUT.marker);
  const temp = tempPathFor(marker);
  try {
    await writeSynced(temp, Buffer.from(markerText(randomUUID())), { exclusive: true });
    await link(temp, marker).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await syncDir(dir);
  } finally {
    await rm(temp, { force: true });
  }
  return { dir, backupId: (await readBackupId(dir))! };
}

/** The backup folder at `path` to restore from; refused when it is missing or no Veil backup. */
export async function openForRestore(path: string): Promise<BackupFolder> {
  const dir = await folderAt(path);
  if (dir === undefined) throw badFolder(path, 'does not exist');
  const backupId = await readBackupId(dir);
  if (!backupId) throw badFolder(dir, `holds no ${BACKUP_LAYOUT.marker} file: not a Veil backup folder`);
  return { dir, backupId };
}

/** One backup or restore at a time per folder: a killed one's lock is taken over (the lock file names its process). */
export async function lockBackupFolder(folder: BackupFolder, purpose: string): Promise<DatasetLock> {
  return acquireLockFile(join(folder.dir, BACKUP_LAYOUT.lock), { label: join(folder.dir, BACKUP_LAYOUT.lock), subject: 'the backup folder', purpose });
}

export function blobsDir(folder: BackupFolder): string {
  return join(folder.dir, BACKUP_LAYOUT.blobs);
}

export function blobPath(folder: BackupFolder, sha256: string): string {
  return join(folder.dir, BACKUP_LAYOUT.blobs, sha256);
}

export function generationsDir(folder: BackupFolder, datasetId: string): string {
  return join(folder.dir, BACKUP_LAYOUT.datasets, datasetId);
}

/** `000042.age`: zero-padded, so that `ls` lists the generations in order (the README's drill takes the last). */
export function generationName(generation: number): string {
  return `${String(generation).padStart(6, '0')}.age`;
}

export function generationPath(folder: BackupFolder, datasetId: string, generation: number): string {
  return join(generationsDir(folder, datasetId), generationName(generation));
}

async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
}

/** The generations of a dataset the folder holds, oldest first (temps of an interrupted run are none). */
export async function listGenerations(folder: BackupFolder, datasetId: string): Promise<number[]> {
  const names = await namesIn(generationsDir(folder, datasetId));
  return names.flatMap((name) => (/^\d{6,}\.age$/.test(name) ? [Number(name.slice(0, -4))] : [])).sort((a, b) => a - b);
}

/** The datasets the folder holds backups of. */
export async function listDatasets(folder: BackupFolder): Promise<string[]> {
  return (await namesIn(join(folder.dir, BACKUP_LAYOUT.datasets))).filter((name) => /^[0-9a-f]{16}$/.test(name)).sort();
}

/** Removes what a killed run left half written (temps of blobs and manifests): nothing a generation names. */
export async function removeStrayTemps(folder: BackupFolder): Promise<number> {
  const dirs = [blobsDir(folder), ...(await listDatasets(folder)).map((id) => generationsDir(folder, id))];
  let removed = 0;
  for (const dir of dirs) {
    for (const name of await namesIn(dir)) {
      if (!isTempName(name)) continue;
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
