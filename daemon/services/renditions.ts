/**
 * Renditions of dataset images for the review webview, cached under `<root>/.veil/`: thumbnails for the
 * filmstrip, and full-size display copies of images a browser cannot decode (TIFF). A video's thumbnail is its poster
 * frame, the frame at a tenth of its duration (the first is often black, a fade-in or a slate), read through the
 * video frame reader (rotation applied, as detection sees it). The cache key (and so the file name and the webview
 * URL) holds the file's path, inode, size and mtime: a committed image is a new file (renamed over the original: a
 * new inode), so it gets a new rendition and a new URL, and nothing cached can show its pre-commit pixels. They show
 * faces: every commit deletes them (clearRenditions), and none is versioned (`.veil/.gitignore` is written first).
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { ErrorCode, type DisplayCopyParams, type DisplayCopyResult, type ThumbnailParams, type ThumbnailResult } from '../protocol';
import { VeilError } from '../errors';
import { displayedPipeline, probeImage, readImageBytes, type DecodeLimits } from '../image/decode';
import { IMAGE_FILE } from '../image/imageFileRule';
import { isVideoName } from '../image/formats';
import { statRegularFile, type FileRule } from '../storage/regularFile';
import { resolveInside, resolveRoot, toDatasetPath } from '../dataset/paths';
import { RENDITION_DIRS, veilPath } from '../dataset/layout';
import { writeIgnoreFiles } from '../dataset/versionControl';
import { publish, tempPathFor } from '../storage/durable';
import { probeVideo, VIDEO_FILE } from '../video/probe';
import { readFrames } from '../video/frameReader';

interface RenditionSpec {
  dir: 'thumbs' | 'display';
  /** Longest side in pixels; undefined keeps the displayed size. */
  size?: number;
  quality: number;
}

/** What a rendition is made from: the file's rule, a word that keys its cache, and its picture, decoded. */
interface Source {
  rule: FileRule;
  /** Added to the cache key ('' for an image: its renditions keep the keys they had). */
  kind: string;
  picture: (absolute: string, file: string) => Promise<Sharp>;
}

function imageSource(limits: DecodeLimits): Source {
  return {
    rule: IMAGE_FILE,
    kind: '',
    picture: async (absolute, file) => {
      const bytes = await readImageBytes(absolute, file);
      await probeImage(bytes, file, limits);
      return displayedPipeline(bytes, limits);
    },
  };
}

/** Where a video's poster frame is, as a share of its frames. */
const POSTER_AT = 0.1;

const VIDEO_POSTER: Source = {
  rule: VIDEO_FILE,
  kind: '\0poster-1',
  picture: async (absolute, file) => {
    const named = (error: unknown) => {
      throw VeilError.is(error) && error.file === undefined ? new VeilError(error.code, error.message, file) : error;
    };
    const info = await probeVideo(absolute).catch(named);
    const poster = Math.min(info.frames - 1, Math.floor(info.frames * POSTER_AT));
    try {
      for await (const { rgb } of readFrames(absolute, info, { from: poster, to: poster + 1 })) {
        return sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } });
      }
    } catch (error) {
      named(error);
    }
    throw new VeilError(ErrorCode.VideoUnreadable, 'has no frame to show', file);
  },
};

async function cachedRendition(rootParam: string, fileParam: string, spec: RenditionSpec, source: Source): Promise<string> {
  const root = resolveRoot(rootParam);
  const absolute = resolveInside(root, fileParam);
  const file = toDatasetPath(root, absolute);
  // A regular file (never a FIFO or a device), named in the error otherwise.
  const info = await statRegularFile(absolute, file, source.rule);
  const key = createHash('sha256').update(`${file}\0${info.ino}\0${info.size}\0${info.mtimeMs}\0${spec.size ?? 'full'}${source.kind}`).digest('hex').slice(0, 32);
  const dir = veilPath(root, spec.dir);
  const path = join(dir, `${key}.jpg`);
  if (await stat(path).then(() => true, () => false)) return path;
  const pipeline = await source.picture(absolute, file);
  // A rendition shows faces: never written before the .gitignore that keeps it out of version control.
  await writeIgnoreFiles(root);
  await mkdir(dir, { recursive: true });
  // Unique per call: two requests for the same rendition may run at once.
  const temp = tempPathFor(path);
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

/** An image's thumbnail, or a video's poster frame as its thumbnail. */
export async function thumbnail(params: ThumbnailParams, limits: DecodeLimits): Promise<ThumbnailResult> {
  const source = isVideoName(params.file) ? VIDEO_POSTER : imageSource(limits);
  return { path: await cachedRendition(params.root, params.file, { dir: 'thumbs', size: params.size, quality: 80 }, source) };
}

export async function displayCopy(params: DisplayCopyParams, limits: DecodeLimits): Promise<DisplayCopyResult> {
  return { path: await cachedRendition(params.root, params.file, { dir: 'display', quality: 92 }, imageSource(limits)) };
}

/** Removes every cached rendition of a dataset (after a commit they would show faces that are gone). */
export async function clearRenditions(root: string): Promise<void> {
  await Promise.all(RENDITION_DIRS.map((dir) => rm(veilPath(root, dir), { recursive: true, force: true })));
}
