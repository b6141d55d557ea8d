/**
 * Thumbnails for the review filmstrip, cached under `<root>/.veil/thumbs/`. The cache key holds the
 * file's path, size and mtime, so a changed (or committed) image gets a new thumbnail.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ThumbnailParams, ThumbnailResult } from '../protocol';
import { displayedPipeline, probeImage, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside, resolveRoot, toDatasetPath } from '../dataset/paths';
import { VEIL_DIR } from '../review/store';

export const THUMBS_DIR = 'thumbs';

export async function thumbnail(params: ThumbnailParams, limits: DecodeLimits): Promise<ThumbnailResult> {
  const root = resolveRoot(params.root);
  const absolute = resolveInside(root, params.file);
  const file = toDatasetPath(root, absolute);
  const info = await stat(absolute);
  const key = createHash('sha256').update(`${file}\0${info.size}\0${info.mtimeMs}\0${params.size}`).digest('hex').slice(0, 32);
  const dir = join(root, VEIL_DIR, THUMBS_DIR);
  const path = join(dir, `${key}.jpg`);
  if (await stat(path).then(() => true, () => false)) return { path };
  const bytes = await readImageBytes(absolute, file);
  await probeImage(bytes, file, limits);
  await mkdir(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await displayedPipeline(bytes, limits)
    .resize(params.size, params.size, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toFile(temp);
  await rename(temp, path);
  return { path };
}

/** Removes every cached thumbnail of a dataset (after a commit they would show faces that are gone). */
export async function clearThumbnails(root: string): Promise<void> {
  await rm(join(root, VEIL_DIR, THUMBS_DIR), { recursive: true, force: true });
}
