/**
 * Renditions of dataset images for the review webview, cached under `<root>/.veil/`: thumbnails for the
 * filmstrip, and full-size display copies of images a browser cannot decode (TIFF). The cache key (and so the
 * file name and the webview URL) holds the file's path, inode, size and mtime: a committed image is a new file
 * (renamed over the original: a new inode), so it gets a new rendition and a new URL, and nothing cached can
 * show its pre-commit pixels. They show faces: every commit deletes them (clearRenditions).
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DisplayCopyParams, DisplayCopyResult, ThumbnailParams, ThumbnailResult } from '../protocol';
import { displayedPipeline, IMAGE_FILE, probeImage, readImageBytes, type DecodeLimits } from '../image/decode';
import { statRegularFile } from '../storage/regularFile';
import { resolveInside, resolveRoot, toDatasetPath } from '../dataset/paths';
import { RENDITION_DIRS, veilPath } from '../dataset/layout';
import { writeIgnoreFiles } from '../dataset/versionControl';
import { publish, tempPathFor } from '../storage/durable';

interface RenditionSpec {
  dir: 'thumbs' | 'display';
  /** Longest side in pixels; undefined keeps the displayed size. */
  size?: number;
  quality: number;
}

async function cachedRendition(rootParam: string, fileParam: string, spec: RenditionSpec, limits: DecodeLimits): Promise<string> {
  const root = resolveRoot(rootParam);
  const absolute = resolveInside(root, fileParam);
  const file = toDatasetPath(root, absolute);
  // A regular image file (never a FIFO or a device), named in the error otherwise.
  const info = await statRegularFile(absolute, file, IMAGE_FILE);
  const key = createHash('sha256').update(`${file}\0${info.ino}\0${info.size}\0${info.mtimeMs}\0${spec.size ?? 'full'}`).digest('hex').slice(0, 32);
  const dir = veilPath(root, spec.dir);
  const path = join(dir, `${key}.jpg`);
  if (await stat(path).then(() => true, () => false)) return path;
  const bytes = await readImageBytes(absolute, file);
  await probeImage(bytes, file, limits);
  // A rendition shows faces: never written before the .gitignore that keeps it out of version control.
  await writeIgnoreFiles(root);
  await mkdir(dir, { recursive: true });
  // Unique per call: two requests for the same rendition may run at once.
  const temp = tempPathFor(path);
  const pipeline = displayedPipeline(bytes, limits);
  if (spec.size !== undefined) pipeline.resize(spec.size, spec.size, { fit: 'inside', withoutEnlargement: true });
  try {
    await pipeline.jpeg({ quality: spec.quality }).toFile(temp);
    await publish(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}

export async function thumbnail(params: ThumbnailParams, limits: DecodeLimits): Promise<ThumbnailResult> {
  return { path: await cachedRendition(params.root, params.file, { dir: 'thumbs', size: params.size, quality: 80 }, limits) };
}

export async function displayCopy(params: DisplayCopyParams, limits: DecodeLimits): Promise<DisplayCopyResult> {
  return { path: await cachedRendition(params.root, params.file, { dir: 'display', quality: 92 }, limits) };
}

/** Removes every cached rendition of a dataset (after a commit they would show faces that are gone). */
export async function clearRenditions(root: string): Promise<void> {
  await Promise.all(RENDITION_DIRS.map((dir) => rm(veilPath(root, dir), { recursive: true, force: true })));
}
