/**
 * A video whose truth is known by construction, for the video review tests: a red square moving right by a fixed
 * step per frame over a colour gradient, made with ffmpeg (lavfi sources) as the review plays it: a playable copy
 * (H.264 MP4, a keyframe every 5 frames, no audio) half the size of the video it stands for. Its tracks: one
 * following the square (two keyframes: the square moves linearly, so trackBoxAt is exact at every frame), a
 * low-score one, an accepted one and a possible face.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageRecord, Rect, Track, VideoInfo } from '../../daemon/protocol';
import { videoToolPath } from '../../daemon/video/ffmpegBinaries';
import { VideoProxy, type WebviewEntry } from '../../webview/protocol';
import type { ImageFolder } from '../support/webviewDataset';

export const CLIP_FILE = 'clip.mp4';
/** The video the clip stands for: 640×360 at 25 fps, 100 frames (its playable copy is 320×180). */
export const CLIP_INFO: VideoInfo = { width: 640, height: 360, fps: 25, frames: 100, durationS: 4, codec: 'h264', rotation: 0, hasAudio: false };
const PROXY = { width: 320, height: 180 };
/** Playable copy pixels → video pixels. */
const SCALE = CLIP_INFO.width / PROXY.width;

/** Where the square is at frame n, in the copy's pixels (the ffmpeg overlay below draws it there). */
const SQUARE = { x0: 10, step: 2, y: 60, side: 30 };

/** The square at frame n, in the video's displayed pixels (the space of the tracks). */
export function squareAt(frame: number): Rect {
  return { x: (SQUARE.x0 + SQUARE.step * frame) * SCALE, y: SQUARE.y * SCALE, w: SQUARE.side * SCALE, h: SQUARE.side * SCALE };
}

/** The frame a square seen centred at copy pixel x is on. */
export function frameOfSquareCentre(x: number): number {
  return (x - SQUARE.x0 - SQUARE.side / 2) / SQUARE.step;
}

/** Makes the clip in the folder the test server serves; returns its entry. */
export async function makeClip(folder: ImageFolder): Promise<WebviewEntry> {
  const path = join(folder.dir, CLIP_FILE);
  const ffmpeg = await videoToolPath('ffmpeg');
  const { fps, durationS } = CLIP_INFO;
  const size = `${PROXY.width}x${PROXY.height}`;
  await promisify(execFile)(ffmpeg, [
    '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `color=c=black:s=${size}:r=${fps}:d=${durationS},geq=r='40+100*X/W':g='60+80*Y/H':b='120'`,
    '-f', 'lavfi', '-i', `color=c=red:s=${SQUARE.side}x${SQUARE.side}:r=${fps}:d=${durationS}`,
    // By time, not by the overlay's frame count `n` (it counts from 1 in this build): frame k is at t = k / fps.
    '-filter_complex', `[0][1]overlay=x='${SQUARE.x0}+${SQUARE.step * fps}*t':y=${SQUARE.y}:shortest=1,format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', '5', '-an', '-movflags', '+faststart', path,
  ]);
  folder.images.set(CLIP_FILE, { file: CLIP_FILE, width: CLIP_INFO.width, height: CLIP_INFO.height, path });
  return { file: CLIP_FILE, imageUri: null, version: '1', width: CLIP_INFO.width, height: CLIP_INFO.height };
}

/** The answer the extension gives to the webview's `video/proxyRequest` for the clip. */
export function clipProxy(origin: string) {
  return VideoProxy.create({ file: CLIP_FILE, uri: `${origin}/images/${CLIP_FILE}`, ...PROXY, fps: CLIP_INFO.fps, frames: CLIP_INFO.frames });
}

function key(frame: number, rect: Rect, score: number | null) {
  return { frame, ...rect, score };
}

/**
 * The clip's tracks, in lane order:
 * - t-square: the square, keyframes at 0 and 99, proposed (0.9): a gap in the queue between them
 * - t-possible: frames 5–10, a possible face (0.3)
 * - t-low: frames 20–60, proposed, detected at 0.4: low score (and gaps)
 * - t-late: frames 70–95, accepted, keyframes every 5 frames
 */
export function clipTracks(): Track[] {
  const model = { source: 'model' as const, padBefore: 0, padAfter: 0, edited: false };
  const low = { x: 500, y: 40, w: 80, h: 80 };
  const late = { x: 480, y: 220, w: 70, h: 70 };
  return [
    { id: 't-square', ...model, state: 'proposed', score: 0.9, keyframes: [key(0, squareAt(0), 0.9), key(99, squareAt(99), 0.9)] },
    { id: 't-possible', ...model, state: 'possible', score: 0.3, keyframes: [key(5, { x: 100, y: 250, w: 50, h: 50 }, 0.3), key(10, { x: 110, y: 250, w: 50, h: 50 }, 0.3)] },
    { id: 't-low', ...model, state: 'proposed', score: 0.42, keyframes: [key(20, low, 0.4), key(40, low, 0.4), key(60, low, 0.45)] },
    { id: 't-late', ...model, state: 'accepted', score: 0.95, keyframes: [70, 75, 80, 85, 90, 95].map((frame) => key(frame, late, 0.95)) },
  ];
}

export function clipRecord(tracks: Track[] = clipTracks()): ImageRecord {
  return {
    file: CLIP_FILE,
    width: CLIP_INFO.width,
    height: CLIP_INFO.height,
    boxes: [],
    status: 'unreviewed',
    video: CLIP_INFO,
    tracks,
    detection: { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-30T00:00:00.000Z' },
    revision: 1,
  };
}
