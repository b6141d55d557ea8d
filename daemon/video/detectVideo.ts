/**
 * Detection on a video: frames stream from the decoder (frameReader.ts, never the whole video in memory), the
 * detector runs on every `stride`-th frame, each frame's small grey thumbnail is compared with the previous one for
 * scene cuts (on every frame: a cut between two detection frames still ends the tracks there), and the tracker
 * folds the detections into tracks. Each frame is asked of the detector as a video frame (DetectRequest.video):
 * between full passes, with the boxes the live tracks predict, so that a detector with a cheaper video path (the
 * embedded BlazeFace) looks at its fine scales only there. A full pass comes on the first detection frame, at a scene
 * cut, and often enough that a face appearing just after one is found by the next within the tracks' padding
 * (trackTiming.ts: a quarter second before the first detection), so the padding covers the frames it was not seen.
 */
import type { Face, Track, VideoInfo } from '../protocol';
import type { Detector } from '../detection/detector';
import { FaceTracker } from './tracker';
import { trackTiming } from './trackTiming';
import { grayThumbnail, isSceneCut, type GrayThumbnail } from './sceneCut';
import { readFrames } from './frameReader';

/**
 * The detector runs on every second frame by default: the tracker interpolates the frame between and pads each track
 * by at least a stride (trackTiming.ts), and detection takes half the time of every frame.
 */
export const DEFAULT_VIDEO_STRIDE = 2;

export interface VideoDetectSettings {
  detector: Detector;
  /** The operating threshold: tracks with a detection at or above it are proposed, the others possible. */
  threshold: number;
  /** The score the detector is asked down to (the possible-face floor). */
  floor: number;
  thorough: boolean;
  /** The detector runs on every `stride`-th frame. */
  stride: number;
  /** False: every detection frame a full pass, no predicted boxes given (default true; false only to measure the lever). */
  aroundTracks?: boolean;
}

export interface VideoDetection {
  tracks: Track[];
  /** Detections at or above the threshold, over every frame the detector ran on. */
  faces: number;
  /** Frames the detector ran on. */
  detectedFrames: number;
}

/** Detects and tracks the faces of the video at `path` (whose probe is `info`); `onFrame` hears each frame read. */
export async function detectVideoTracks(
  path: string,
  info: VideoInfo,
  settings: VideoDetectSettings,
  options: { signal?: AbortSignal; onFrame?: (frame: number) => void } = {},
): Promise<VideoDetection> {
  const tracker = new FaceTracker({ video: info, stride: settings.stride, threshold: settings.threshold });
  const { padFrames } = trackTiming(info.fps, settings.stride);
  let lastFullPass: number | undefined;
  let cutSinceDetection = false;
  let previous: GrayThumbnail | undefined;
  let faces = 0;
  let detectedFrames = 0;
  for await (const frame of readFrames(path, info, { signal: options.signal })) {
    const thumbnail = grayThumbnail(frame.rgb, info.width, info.height);
    const sceneCut = previous !== undefined && isSceneCut(previous, thumbnail);
    previous = thumbnail;
    cutSinceDetection ||= sceneCut;
    if (frame.index % settings.stride === 0) {
      // Full passes at most padFrames apart: a face appearing after one is found by the next, whose padding covers it.
      const full = settings.aroundTracks === false || cutSinceDetection || lastFullPass === undefined || frame.index + settings.stride - lastFullPass > padFrames;
      if (full) lastFullPass = frame.index;
      cutSinceDetection = false;
      const video = full ? {} : { around: tracker.predictedBoxes(frame.index) };
      const found: Face[] = await settings.detector.detect({ rgb: frame.rgb, width: info.width, height: info.height }, { threshold: settings.floor, thorough: settings.thorough, video });
      faces += found.filter((face) => face.score >= settings.threshold).length;
      detectedFrames++;
      tracker.push({ frame: frame.index, faces: found, sceneCut });
    } else if (sceneCut) tracker.push({ frame: frame.index, faces: [], sceneCut });
    options.onFrame?.(frame.index);
  }
  return { tracks: tracker.finish(), faces, detectedFrames };
}
