/**
 * The one rule for writing detections into review records, wherever they are written from: a run's group written
 * under the review lock (services/detect.ts), a shard's segment line folded into the review log, and a reader merging
 * a segment line not folded yet (review/store.ts). Each detection is merged into the record stored at that moment
 * (review/merge.ts keeps what a person did); a committed record and one detected already with the same settings are
 * left alone; a file a running commit holds fails alone.
 */
import type { Face, FileFailure, ImageRecord, Track, VideoInfo } from '../protocol';
import { ErrorCode } from '../protocol';
import { fileFailure, VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { countDecision, decisionSha256, type DetectImageEvent } from '../audit/events';
import { mergeVideoDetection } from '../video/mergeVideoDetection';
import { mergeDetection, type IdentifiedFace } from './merge';

/** What a detection run was asked for: what decides whether a record is left alone, and what its audit lines say. */
export interface DetectionAsked {
  model: string;
  threshold: number;
  thorough: boolean;
  videoStride: number;
  /** Detect again what was detected already with these settings. */
  force: boolean;
}

/** What one file's inference found: an image's faces (at the threshold, and possible ones below it), or a video's tracks. */
export type Found = { width: number; height: number; faces: IdentifiedFace[]; possible: IdentifiedFace[] } | { info: VideoInfo; tracks: Track[] };

/** One file's inference, waiting to be written. */
export interface Detected {
  file: string;
  found: Found;
  detection: NonNullable<ImageRecord['detection']>;
}

export type DetectOutcome = { failure: FileFailure } | { record: ImageRecord; faces: Face[]; skipped: boolean };

function alreadyDetected(record: ImageRecord | undefined, asked: DetectionAsked): boolean {
  const last = record?.detection;
  const sameStride = record?.video === undefined || last?.videoStride === asked.videoStride;
  return last !== undefined && last.model === asked.model && last.threshold === asked.threshold && last.thorough === asked.thorough && sameStride;
}

/** Committed images are anonymized already (`verify --redetect` checks them); finished ones are not redone. */
export function leaveAlone(record: ImageRecord | undefined, asked: DetectionAsked): record is ImageRecord {
  return record !== undefined && (record.status === 'committed' || (!asked.force && alreadyDetected(record, asked)));
}

export function modelFaces(record: ImageRecord): Face[] {
  return record.boxes.flatMap((box) => (box.source === 'model' && box.state !== 'possible' && box.score !== null ? [{ x: box.x, y: box.y, w: box.w, h: box.h, score: box.score }] : []));
}

/** Where a group is written: the records as they stand, the files running commits hold, who ran it, and the revision. */
export interface DetectionWriteContext {
  get(file: string): ImageRecord | undefined;
  held: ReadonlySet<string>;
  actor: Actor;
  revision: number;
}

export interface DetectionWrite {
  /** The records to write, by file (a file named twice in a group folds its second detection into its first). */
  written: Map<string, ImageRecord>;
  /** Their `detect-image` lines, appended before the records are (write-ahead). */
  lines: DetectImageEvent[];
  /** One per detection, in order. */
  outcomes: DetectOutcome[];
}

export function applyDetections(group: readonly Detected[], asked: DetectionAsked, context: DetectionWriteContext): DetectionWrite {
  const written = new Map<string, ImageRecord>();
  const lines: DetectImageEvent[] = [];
  const outcomes = group.map(({ file, found, detection }): DetectOutcome => {
    try {
      const latest = written.get(file) ?? context.get(file);
      if (leaveAlone(latest, asked)) return { record: latest, faces: modelFaces(latest), skipped: true };
      if (context.held.has(file)) throw new VeilError(ErrorCode.Conflict, 'is part of a running or interrupted commit; not re-detected', file);
      const record =
        'info' in found
          ? mergeVideoDetection(latest, { file, info: found.info, tracks: found.tracks, detection })
          : mergeDetection(latest, { file, width: found.width, height: found.height, faces: found.faces, possible: found.possible, detection });
      lines.push({
        type: 'detect-image',
        actor: context.actor,
        file,
        model: detection.model,
        threshold: asked.threshold,
        thorough: asked.thorough,
        faces: 'info' in found ? found.tracks.filter((track) => track.state === 'proposed').length : found.faces.length,
        status: record.status,
        ...countDecision(record),
        boxesSha256: decisionSha256(record),
        revision: context.revision,
      });
      written.set(file, record);
      return { record, faces: 'info' in found ? [] : found.faces.map(({ x, y, w, h, score }) => ({ x, y, w, h, score })), skipped: false };
    } catch (error) {
      return { failure: fileFailure(file, error) };
    }
  });
  return { written, lines, outcomes };
}
