/**
 * `verify --redetect` on a committed video: the detector runs on sampled frames of the output (one a second, and
 * each redacted track's first and last frame, where a face enters or leaves its cover) and each face it finds is
 * placed against that frame's redacted regions as on an image (redetect.ts), the finding naming the time code.
 * The output is decoded once, front to back (cheaper than a seek per sample when samples are a second apart).
 */
import { committedMarginRule, type CommitImageEvent } from '../audit/events';
import type { Detector } from '../detection/detector';
import type { ImageRecord, VerifyFinding } from '../protocol';
import { boxesToRedact } from '../commit/select';
import { faceRegion } from '../redact/geometry';
import { probeVideo } from '../video/probe';
import { readFrames } from '../video/frameReader';
import { boxesAtFrame } from '../video/redactVideo';
import { trackFirstFrame, trackLastFrame } from '../video/trackGeometry';
import { redetectFinding } from './redetectFinding';

/** `h:mm:ss.mmm (frame n)`: where a person finds the frame in a player, and where Veil's review does. */
export function timeCode(frame: number, fps: number): string {
  const ms = Math.round((frame / fps) * 1000);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(ms % 1000, 3)} (frame ${frame})`;
}

export async function redetectVideo(
  path: string,
  file: string,
  event: CommitImageEvent,
  record: ImageRecord | undefined,
  detector: Pick<Detector, 'detect' | 'model'>,
  signal?: AbortSignal,
): Promise<VerifyFinding[]> {
  const info = await probeVideo(path, undefined, signal);
  const tracks = boxesToRedact(record?.tracks ?? []);
  const step = Math.max(1, Math.round(info.fps));
  const edges = new Set(tracks.flatMap((track) => [trackFirstFrame(track), Math.min(info.frames - 1, trackLastFrame(track))]));
  const findings: VerifyFinding[] = [];
  for await (const frame of readFrames(path, info, { signal })) {
    if (frame.index % step !== 0 && !edges.has(frame.index)) continue;
    const regions = boxesAtFrame(tracks, frame.index, info.frames - 1).map((box) => faceRegion(box, committedMarginRule(event), info.width, info.height));
    for (const face of await detector.detect({ rgb: frame.rgb, width: info.width, height: info.height }, {})) {
      const finding = redetectFinding(file, detector.model.name, face, regions, event.redaction.mode);
      findings.push({ ...finding, message: `at ${timeCode(frame.index, info.fps)}: ${finding.message}` });
    }
  }
  return findings;
}
