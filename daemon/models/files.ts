/** Putting model files in place atomically: write a temp file in the same folder, fsync, rename. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A hidden temp path beside `target`, so the final rename stays on one file system. */
function tempPathBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
}

/** Flushes `temp` to disk and renames it over `target`. */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  const handle = await open(temp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, target);
}

/** Runs `write(temp)` then moves the temp file over `target`; on any failure the temp file is removed. */
export async function writeAtomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempPathBeside(target);
  try {
    await write(temp);
    await moveIntoPlace(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
