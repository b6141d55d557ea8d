/**
 * Crash-safe file writes: write a temp file in the target's folder, fsync it, rename it over the target,
 * fsync the folder. After a `kill -9` at any instant the target holds the old bytes or the new ones.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { specialFileKind } from './regularFile';

/** Marker in every temp name, so leftovers of a killed writer can be found and removed. */
export const TEMP_MARKER = '.veil-tmp-';

/** A hidden temp path next to `target` (scanners skip dot-files), unique per call. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

/** Writes `bytes` to `path` and fsyncs it; `exclusive` refuses an existing file. */
export async function writeSynced(path: string, bytes: Uint8Array, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  const handle = await open(path, options.exclusive ? 'wx' : 'w', options.mode ?? 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames an already-synced temp file over `target` and makes the rename durable. */
export async function publish(temp: string, target: string): Promise<void> {
  await refuseSpecialTarget(target);
  await rename(temp, target);
  await syncDir(dirname(target));
}

/**
 * A device, pipe or socket where a file is to land is refused, never replaced: a rename swaps the node itself. (The
 * params fuzzer asked `redactions/export` to write to /dev/zero; the daemon, run as root, replaced the device with the
 * export, and every later reader of /dev/zero on the machine read JSON.)
 */
async function refuseSpecialTarget(target: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  const kind = info && specialFileKind(info);
  if (kind) throw new VeilError(ErrorCode.BadPath, `is ${kind}: Veil writes regular files and never replaces ${kind}`, target);
}

/** temp + fsync + rename + fsync(dir); the temp file is removed if anything fails before the rename. */
export async function writeAtomic(target: string, bytes: Uint8Array, mode?: number): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await writeSynced(temp, bytes, { mode, exclusive: true });
    await publish(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Lands an already-synced temp file at `target` only if nothing is there (hard link, which fails on an existing name),
 * and makes it durable; false when `target` exists (the temp is left to the caller). For content-addressed files two
 * processes may store at once: the same original committed by two shards must land once, or the second rename would
 * replace the ciphertext the first one's audit entry records.
 */
export async function publishNew(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await rm(temp, { force: true });
  await syncDir(dirname(target));
  return true;
}

/** `writeAtomic` for a file that must not replace one already there: false (nothing written) when `target` exists. */
export async function writeAtomicNew(target: string, bytes: Uint8Array, mode?: number): Promise<boolean> {
  const temp = tempPathFor(target);
  try {
    await writeSynced(temp, bytes, { mode, exclusive: true });
    return await publishNew(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}
