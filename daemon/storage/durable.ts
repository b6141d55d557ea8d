/**
 * Crash-safe file writes: write a temp file in the target's folder, fsync it, rename it over the target,
 * fsync the folder. After a `kill -9` at any instant the target holds the old bytes or the new ones.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
  await rename(temp, target);
  await syncDir(dirname(target));
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
