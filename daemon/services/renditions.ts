/**
 * Renditions of dataset images for the review webview, cached under `<root>/.veil/`: thumbnails for the
 * filmstrip, and full-size display copies of images a browser cannot decode (TIFF). The cache key holds the
 * file's path, size and mtime, so a changed (or committed) image gets a new rendition. They show faces:
 * every commit deletes them (clearRenditions).
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DisplayCopyParams, DisplayCopyResult, ThumbnailParams, ThumbnailResult } from '../protocol';
import { displayedPipeline, probeImage, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside, resolveRoot, toDatasetPath } from '../dataset/paths';
import { VEIL_DIR } from '../review/store';

const THUMBS_DIR = 'thumbs';
const DISPLAY_DIR = 'display';

interface RenditionSpec {
  dir: string;
  /** Longest side in pixels; undefined keeps the displayed size. */
  size?: number;
  quality: number;
}

async function cachedRendition(rootParam: string, fileParam: string, spec: RenditionSpec, limits: DecodeLimits): Promise<string> {
  const root = resolveRoot(rootParam);
  const absolute = resolveInside(root, fileParam);
  const file = toDatasetPath(root, absolute);
  const info = await stat(absolute);
  const key = createHash('sha256').update(`${file}\0${info.size}\0${info.mtimeMs}\0${spec.size ?? 'full'}`).digest('hex').slice(0, 32);
  const dir = join(root, VEIL_DIR, spec.dir);
  const path = join(dir, `${key}.jpg`);
  if (await stat(path).then(() => true, () => false)) return path;
  const bytes = await readImageBytes(absolute, file);
  await probeImage(bytes, file, limits);
  await mkdir(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const pipeline = displayedPipeline(bytes, limits);
  if (spec.size !== undefined) pipeline.resize(spec.size, spec.size, { fit: 'inside', withoutEnlargement: true });
  await pipeline.jpeg({ quality: spec.quality }).toFile(temp);
  await rename(temp, path);
  return path;
}

export async function thumbnail(params: ThumbnailParams, limits: DecodeLimits): Promise<ThumbnailResult> {
  return { path: await cachedRendition(params.root, params.file, { dir: THUMBS_DIR, size: params.size, quality: 80 }, limits) };
}

export async function displayCopy(params: DisplayCopyParams, limits: DecodeLimits): Promise<DisplayCopyResult> {
  return { path: await cachedRendition(params.root, params.file, { dir: DISPLAY_DIR, quality: 92 }, limits) };
}

/** Removes every cached rendition of a dataset (after a commit they would show faces that are gone). */
export async function clearRenditions(root: string): Promise<void> {
  await Promise.all([THUMBS_DIR, DISPLAY_DIR].map((dir) => rm(join(root, VEIL_DIR, dir), { recursive: true, force: true })));
}
