/**
 * Folding a new detection run into a video's review record without losing human work, as review/merge.ts does for
 * an image's boxes: tracks a person accepted, rejected, edited or drew are kept as they are; untouched model tracks
 * (proposed or possible) are replaced by the run's. A new track is dropped only when a kept track covers the same
 * face at every one of its keyframes (that face was decided); one that reaches frames no kept track covers stays,
 * so a re-detection never leaves a stretch of a face without a proposal (fail-secure).
 */
import { randomUUID } from 'node:crypto';
import type { ImageRecord, Track, VideoInfo } from '../protocol';
import { iou, SAME_FACE_IOU } from '../review/merge';
import { trackBoxAt } from './trackGeometry';

/** A track a person handled: drawn, decided or edited (split, merged, a keyframe moved). */
export function isHumanTouchedTrack(track: Track): boolean {
  return track.source === 'manual' || track.state === 'accepted' || track.state === 'rejected' || track.edited;
}

/** Whether the kept tracks cover `track`'s face at each of its keyframes. */
function decidedAlready(track: Track, kept: readonly Track[]): boolean {
  return track.keyframes.every((key) =>
    kept.some((other) => {
      const box = trackBoxAt(other, key.frame);
      return box !== null && iou(box, key) > SAME_FACE_IOU;
    }),
  );
}

export interface VideoDetectionRun {
  file: string;
  info: VideoInfo;
  /** The tracker's tracks (ids unique within the run only). */
  tracks: Track[];
  detection: NonNullable<ImageRecord['detection']>;
}

export function mergeVideoDetection(previous: ImageRecord | undefined, run: VideoDetectionRun): ImageRecord {
  const kept = (previous?.tracks ?? []).filter(isHumanTouchedTrack);
  // Ids unique across runs (a run's t1 must not collide with a kept t1 of an earlier run).
  const fresh = run.tracks.filter((track) => !decidedAlready(track, kept)).map((track) => ({ ...track, id: `t-${randomUUID()}` }));
  const proposed = fresh.some((track) => track.state === 'proposed');
  // A new proposed track on a reviewed video means someone has to look again (a possible one alone does not).
  const status = previous?.status === 'reviewed' && proposed ? 'unreviewed' : previous?.status ?? 'unreviewed';
  return {
    ...previous,
    file: run.file,
    width: run.info.width,
    height: run.info.height,
    boxes: [],
    status,
    detection: run.detection,
    video: run.info,
    tracks: [...kept, ...fresh],
  };
}
