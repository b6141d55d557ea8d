/**
 * The review proxy: a small H.264 MP4 of a video that the review webview plays and scrubs. Frame-exact with the
 * frame reader (the same decode and filter chain: decodeArgs.ts, so frame n of the proxy, at n / fps s, is frame n
 * of detection and commit), at most PROXY_MAX_HEIGHT tall, a keyframe every PROXY_KEYFRAME_INTERVAL frames (a
 * seek decodes at most that many frames: scrubbing stays smooth on a long 1080p video), no B-frames (presentation
 * order = decode order, the first frame at time 0, no edit list), no audio, no metadata.
 * H.264 because the webview plays it: VS Code's Electron plays H.264 (not AAC audio, hence none), and so does the
 * Debian Chromium the webview tests run in (`canPlayType('video/mp4; codecs="avc1.64001f"')` is "probably", and a
 * seek to (n + ½) / fps draws frame n: test/daemon/videoDisplayCopy.test.ts; served with byte ranges, without which
 * Chromium cannot seek).
 */
import { once } from 'node:events';
import { ErrorCode, type VideoInfo } from '../protocol';
import { decodeInputArgs, displayFilters, FILTERED_TIMING, fileInput } from './decodeArgs';
import { END_TOLERANCE_FRAMES } from './frameReader';
import { startTool, throwIfAborted } from './toolProcess';
import { endedEarly, toolFailure } from './toolErrors';

/** 540 p: a review panel is rarely taller, and decoding 960 × 540 (a 16:9 video) keeps seeking fast in the webview. */
export const PROXY_MAX_HEIGHT = 540;

/** A keyframe every 8 frames (a quarter second at 30 fps): a seek decodes at most 7 frames before the one shown. */
export const PROXY_KEYFRAME_INTERVAL = 8;

/**
 * x264 `veryfast` at CRF 23: 1080p → 540p proxies encoded at 59 fps on 2 cores (ultrafast 66 fps, twice the size;
 * the decode of the source is most of the time), 1.7 MB per 10 s of noisy footage.
 */
const PROXY_VIDEO_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-bf', '0'];

/** The proxy's size: the displayed size scaled to at most PROXY_MAX_HEIGHT tall, both sides even (4:2:0). */
export function proxySize(info: Pick<VideoInfo, 'width' | 'height'>): { width: number; height: number } {
  const scale = Math.min(1, PROXY_MAX_HEIGHT / info.height);
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(info.width), height: even(info.height) };
}

export interface ProxyOptions {
  signal?: AbortSignal;
  /** Hears the number of frames decoded so far, about twice a second. */
  onFrames?: (frames: number) => void;
}

/** How often progress is reported while a proxy is encoded. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Encodes the proxy of `source` (probed as `info`) into `dest` (an MP4, whatever its name), in two ffmpeg runs
 * joined by a pipe of raw 4:2:0 frames at the proxy's size: the decode is the frame reader's (decodeArgs.ts), and
 * the encoder sees no trace of the source. One run would do both, but ffmpeg copies the source's display matrix
 * into the output when its own autorotation is off (it is: Veil turns the frames itself), and the browser would
 * then turn the already turned frames again.
 */
export async function encodeReviewProxy(source: string, info: VideoInfo, dest: string, options: ProxyOptions = {}): Promise<void> {
  const size = proxySize(info);
  const decodeArgs = [
    ...['-hide_banner', '-nostdin', '-v', 'error'],
    ...decodeInputArgs(source),
    ...['-vf', [...displayFilters(info), `scale=${size.width}:${size.height}`].join(','), ...FILTERED_TIMING],
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
  ];
  const keyframes = ['-g', String(PROXY_KEYFRAME_INTERVAL), '-keyint_min', String(PROXY_KEYFRAME_INTERVAL), '-sc_threshold', '0'];
  const encodeArgs = [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y'],
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${size.width}x${size.height}`, '-framerate', String(info.fps), '-i', 'pipe:0'],
    ...PROXY_VIDEO_ARGS,
    ...keyframes,
    ...['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-movflags', '+faststart'],
    ...['-f', 'mp4', fileInput(dest)],
  ];
  const decode = await startTool('ffmpeg', decodeArgs, { signal: options.signal });
  const encode = await startTool('ffmpeg', encodeArgs, { stdin: true, signal: options.signal });
  const frameBytes = (size.width * size.height * 3) / 2;
  try {
    let bytes = 0;
    let reported = 0;
    for await (const chunk of decode.stdout as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (!encode.stdin!.write(chunk)) await Promise.race([once(encode.stdin!, 'drain').catch(() => undefined), encode.exited]);
      if (Date.now() - reported >= PROGRESS_INTERVAL_MS) {
        reported = Date.now();
        options.onFrames?.(Math.floor(bytes / frameBytes));
      }
    }
    encode.stdin!.end();
    const [decoded, encoded] = await Promise.all([decode.exited, encode.exited]);
    throwIfAborted(options.signal);
    if (decoded.code !== 0) throw toolFailure(decoded, source, 'making the review copy', ErrorCode.VideoUnreadable);
    const frames = Math.floor(bytes / frameBytes);
    if (frames < info.frames - END_TOLERANCE_FRAMES) throw endedEarly(decoded.stderr, frames, info.frames);
    if (encoded.code !== 0) throw toolFailure(encoded, dest, 'making the review copy', ErrorCode.Internal);
    options.onFrames?.(frames);
  } finally {
    await Promise.all([decode.kill(), encode.kill()]);
  }
}
