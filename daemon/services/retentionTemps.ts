/**
 * Temp files a killed purge or restore leaves in `.veil/`: those of the locks it takes (each lock is created from a
 * temp file hard-linked to its name, storage/lock.ts) and of the state files it rewrites. Removed by the next run while
 * it holds the dataset lock; a live taker of another lock whose temp goes retries (lock.ts), so this is safe.
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { LAYOUT, veilDir, type LayoutName } from '../dataset/layout';
import { TEMP_MARKER } from '../storage/durable';
import { findStrayTemps } from '../commit/cleanup';

export async function removeOwnTemps(root: string, names: readonly LayoutName[]): Promise<void> {
  const own = (path: string) => names.some((name) => basename(path).startsWith(`.${LAYOUT[name]}${TEMP_MARKER}`));
  await Promise.all((await findStrayTemps([veilDir(root)])).filter(own).map((path) => rm(path, { force: true })));
}
