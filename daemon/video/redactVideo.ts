/**
 * One video, from its original to a verified anonymized file: every frame decoded (frameReader.ts), each track's
 * box at that frame (trackGeometry.ts, the rule the review shows) grown by the margin and painted as an image's
 * boxes are (redact/render.ts), every frame re-encoded (frameWriter.ts: no metadata, audio only when kept).
 *
 * Then the gate, as for an image (redact/verifyRegions.ts): the output must have every frame, and on sampled frames
 * (each redacted track's first and last frame, up to MAX_CHECKED_FRAMES in all) each region decoded back from the
 * output must differ from what the original had there far more than the encoder's noise elsewhere.
 */
import type { MarginBasis, MarginRule, MaskShape, RedactionMode, Rect, Track, VideoInfo } from '../protocol';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import type { PhaseTimes } from '../core/phaseTimes';
import { copyRegion, faceRegion, type FaceRegion } from '../redact/geometry';
import { renderRedacted } from '../redact/render';
import { unchangedRegions, type Rendered } from '../redact/verifyRegions';
import { readFrames } from './frameReader';
import { openFrameWriter } from './frameWriter';
import { outputContainerFor } from './outputContainers';
import { probeVideo } from './probe';
import { trackBoxAt, trackFirstFrame, trackLastFrame } from './trackGeometry';

/**
 * Frames decoded back from the output and checked. Each check seeks the output once (a decoder start, ~0.1 s at
 * 720p) and holds a frame and its regions' pixels until the end (2.7 MB a frame at 720p).
 */
const MAX_CHECKED_FRAMES = 8;

export interface VideoRedaction extends MarginRule {
  mode: RedactionMode;
  shape: MaskShape;
  /** Copy the original's audio streams into the output (default: dropped). */
  keepAudio: boolean;
}

/** The boxes to paint on `frame`: each track's that covers it, with the track's score (its margin follows it). */
export function boxesAtFrame(tracks: readonly Track[], frame: number, lastFrame: number): (Rect & MarginBasis)[] {
  return tracks.flatMap((track) => {
    if (frame > Math.min(lastFrame, trackLastFrame(track))) return [];
    const box = trackBoxAt(track, frame);
    return box ? [{ ...box, score: track.score, edited: track.edited }] : [];
  });
}

/** The frames whose redaction is checked in the output: each track's first and last, evenly thinned to the cap. */
export function framesToCheck(tracks: readonly Track[], info: Pick<VideoInfo, 'frames'>): number[] {
  const last = info.frames - 1;
  const candidates = [...new Set(tracks.flatMap((track) => [trackFirstFrame(track), Math.min(last, trackLastFrame(track))]))].filter((frame) => frame <= last).sort((a, b) => a - b);
  if (candidates.length <= MAX_CHECKED_FRAMES) return candidates;
  return Array.from({ length: MAX_CHECKED_FRAMES }, (_, i) => candidates[Math.round((i * (candidates.length - 1)) / (MAX_CHECKED_FRAMES - 1))]!);
}

/** A redacted frame kept for the gate. */
type Sample = Rendered & { frame: number };

/** Writes the anonymized `info` video at `source` into `dest` (a temp name: the container is the original's). */
export async function redactVideo(
  source: string,
  dest: string,
  file: string,
  info: VideoInfo,
  tracks: readonly Track[],
  redaction: VideoRedaction,
  times: PhaseTimes,
  signal?: AbortSignal,
): Promise<void> {
  const container = outputContainerFor(file);
  const checked = new Set(framesToCheck(tracks, info));
  const samples: Sample[] = [];
  const writer = await openFrameWriter(dest, info, { container, ...(redaction.keepAudio ? { keepAudioFrom: source } : {}), signal });
  try {
    let frames = 0;
    for await (const frame of readFrames(source, info, { signal })) {
      const regions: FaceRegion[] = boxesAtFrame(tracks, frame.index, info.frames - 1).map((box) => faceRegion(box, redaction, info.width, info.height));
      const before = checked.has(frame.index) ? regions.map((region) => copyRegion(frame.rgb, info.width, region)) : [];
      renderRedacted({ rgb: frame.rgb, width: info.width, height: info.height }, regions, redaction);
      if (checked.has(frame.index)) samples.push({ frame: frame.index, rgb: Buffer.from(frame.rgb), width: info.width, height: info.height, regions, before, shape: redaction.shape });
      await times.time('encode', () => writer.write(frame.rgb));
      frames++;
    }
    if (frames !== info.frames) throw new VeilError(ErrorCode.VerifyFailed, `${frames} frames were read of the ${info.frames} its probe announced; not published`, file);
    await times.time('encode', () => writer.finish());
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await times.time('verify', () => verifyVideoOutput(dest, file, info, samples, redaction.mode, signal));
}

/** The output's rows cut to the original's width (the encoder pads an odd side by one column or row). */
function cropTo(rgb: Buffer, width: number, fromWidth: number, height: number): Buffer {
  if (width === fromWidth) return rgb;
  const out = Buffer.allocUnsafe(width * height * 3);
  for (let y = 0; y < height; y++) rgb.copy(out, y * width * 3, y * fromWidth * 3, (y * fromWidth + width) * 3);
  return out;
}

async function verifyVideoOutput(dest: string, file: string, info: VideoInfo, samples: readonly Sample[], mode: RedactionMode, signal?: AbortSignal): Promise<void> {
  const written = await probeVideo(dest, undefined, signal);
  const evenSide = (side: number) => side + (side % 2);
  if (written.width !== evenSide(info.width) || written.height !== evenSide(info.height)) {
    throw new VeilError(ErrorCode.VerifyFailed, `output is ${written.width}x${written.height}, expected ${info.width}x${info.height}; not published`, file);
  }
  if (written.frames !== info.frames) throw new VeilError(ErrorCode.VerifyFailed, `output has ${written.frames} frames, expected ${info.frames}; not published`, file);
  for (const sample of samples) {
    for await (const frame of readFrames(dest, written, { from: sample.frame, to: sample.frame + 1, signal })) {
      const unchanged = unchangedRegions(sample, { rgb: cropTo(frame.rgb, info.width, written.width, info.height), width: info.width, k: 1 });
      if (unchanged.length > 0) {
        const where = unchanged.map(({ region: r, change }) => `${r.w}x${r.h} at ${r.x},${r.y} (change ${change.toFixed(1)})`).join('; ');
        throw new VeilError(ErrorCode.VerifyFailed, `redaction did not change ${unchanged.length} region(s) at frame ${sample.frame} (${mode}): ${where}; not published`, file);
      }
    }
  }
}
