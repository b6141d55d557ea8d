/**
 * What Veil writes an anonymized video as: the container of the original's name (so the output keeps the name),
 * with an encoder that container holds. The one home of the encoder settings, so that a commit and its benchmark
 * baseline (bench/videoIo.ts: plain decode + re-encode) encode alike.
 */
import { extname } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';

export interface OutputContainer {
  /** ffmpeg's muxer (`-f`). */
  muxer: 'mp4' | 'mov' | 'matroska' | 'webm';
  /** The video encoder and its settings. */
  videoArgs: readonly string[];
  /** MP4/MOV: the index (moov) first, so a player starts before the whole file is read. */
  faststart: boolean;
}

/**
 * H.264 (libx264), CRF 18 (visually lossless for most footage), 8-bit 4:2:0 (what every player decodes).
 * Preset `veryfast`, measured at 720p on 2 cores (noisy camera-like footage, 300 frames): medium 17 fps, faster 30,
 * veryfast 47, superfast 57 but files 64% larger (ultrafast was slower still, 24, its files twice as large): the
 * fastest preset before the files grow, above real time at 30 fps when the cores are free (bench/results/videoIo.json
 * measures the writer in Veil's pipeline).
 */
export const H264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'] as const;

/**
 * WebM holds VP8/VP9/AV1 only, and a .webm renamed .mp4 would break links to it: VP9 (libvpx-vp9) in its realtime
 * mode, `-cpu-used 8` (59 fps at 720p on 2 cores, against 45 at `-cpu-used 5` for 10% smaller files), CRF 30 at
 * constrained quality (`-b:v 0`).
 */
export const VP9_ARGS = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '30', '-b:v', '0', '-pix_fmt', 'yuv420p'] as const;

const BY_EXTENSION = new Map<string, OutputContainer>([
  ['.mp4', { muxer: 'mp4', videoArgs: H264_ARGS, faststart: true }],
  ['.m4v', { muxer: 'mp4', videoArgs: H264_ARGS, faststart: true }],
  ['.mov', { muxer: 'mov', videoArgs: H264_ARGS, faststart: true }],
  ['.mkv', { muxer: 'matroska', videoArgs: H264_ARGS, faststart: false }],
  ['.webm', { muxer: 'webm', videoArgs: VP9_ARGS, faststart: false }],
]);

/** The names Veil writes videos under (for messages and the scan's list). */
export const WRITTEN_EXTENSIONS = [...BY_EXTENSION.keys()];

/** The container a video named `name` is written as; other video names are refused with what Veil writes. */
export function outputContainerFor(name: string): OutputContainer {
  const extension = extname(name).toLowerCase();
  const container = BY_EXTENSION.get(extension);
  if (!container) {
    throw new VeilError(ErrorCode.VideoUnsupported, `Veil writes videos as ${WRITTEN_EXTENSIONS.join(', ')} only, not ${extension || 'a file without an extension'}: convert it to one of them first`);
  }
  return container;
}
