/**
 * `video/displayCopy`: the review proxy of a dataset video (daemon/video/reviewProxy.ts), cached under
 * `<root>/.veil/display/` like the images' display copies (services/renditions.ts): the cache key holds the file's
 * path, inode, size and mtime, so a committed video (a new file renamed over the original) gets a new proxy, and
 * every commit deletes them all (they show faces: clearRenditions). Two requests for the same proxy share one encode
 * (a long video's takes minutes), with the first request's progress and cancellation.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoDisplayCopyParams, VideoDisplayCopyResult, VideoInfo } from '../protocol';
import { VeilError } from '../errors';
import type { CallContext } from '../core/callContext';
import { resolveInside, resolveRoot, toDatasetPath } from '../dataset/paths';
import { writeIgnoreFiles } from '../dataset/versionControl';
import { veilPath } from '../dataset/layout';
import { publish, tempPathFor } from '../storage/durable';
import { statRegularFile } from '../storage/regularFile';
import { probeVideo, VIDEO_FILE, type VideoLimits } from '../video/probe';
import { encodeReviewProxy, proxySize } from '../video/reviewProxy';

/** Bumped when the proxy's encoding changes, so that no proxy of the old kind is served. */
const PROXY_VERSION = 1;

const encoding = new Map<string, Promise<void>>();

export async function videoDisplayCopy(params: VideoDisplayCopyParams, limits: VideoLimits, ctx: CallContext): Promise<VideoDisplayCopyResult> {
  const root = resolveRoot(params.root);
  const absolute = resolveInside(root, params.file);
  const file = toDatasetPath(root, absolute);
  const named = (error: unknown) => {
    throw VeilError.is(error) && error.file === undefined ? new VeilError(error.code, error.message, file) : error;
  };
  const info = await statRegularFile(absolute, file, VIDEO_FILE);
  const video = await probeVideo(absolute, limits, ctx.token.signal).catch(named);
  const key = createHash('sha256').update(`${file}\0${info.ino}\0${info.size}\0${info.mtimeMs}\0proxy-${PROXY_VERSION}`).digest('hex').slice(0, 32);
  const dir = veilPath(root, 'display');
  const path = join(dir, `${key}.mp4`);
  await writeIgnoreFiles(root);
  if (!(await stat(path).then(() => true, () => false))) {
    let running = encoding.get(path);
    if (!running) {
      running = encodeInto(absolute, video, dir, path, ctx).finally(() => encoding.delete(path));
      encoding.set(path, running);
    }
    await running.catch(named);
  }
  return { path, ...proxySize(video), fps: video.fps, frames: video.frames };
}

async function encodeInto(source: string, video: VideoInfo, dir: string, path: string, ctx: CallContext): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = tempPathFor(path);
  try {
    await encodeReviewProxy(source, video, temp, {
      signal: ctx.token.signal,
      onFrames: (done) => ctx.progress({ done, total: video.frames, message: 'making the review copy' }),
    });
    await publish(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
