/**
 * Folding a new detection run into an image's review record without losing human work:
 * boxes a person accepted, rejected, moved or drew are kept as they are; untouched model proposals are
 * replaced by the new run, possible faces too; a new proposal or possible face that overlaps a kept box is dropped
 * (that face was decided).
 */
import { randomUUID } from 'node:crypto';
import type { Box, Face, ImageRecord, Rect } from '../protocol';

/** Overlap above which a new proposal is taken to be the same face as a box a person already handled. */
export const SAME_FACE_IOU = 0.3;

export function iou(a: Rect, b: Rect): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** A box a person handled: drawn, decided, moved, or a possible face promoted to a proposal (its `p-` id). */
export function isHumanTouched(box: Box): boolean {
  if (box.state === 'possible') return false;
  return box.source === 'manual' || box.state !== 'proposed' || box.edited || box.id.startsWith('p-');
}

/** A model box from a detection: `proposed` at the threshold, `possible` below it (its id tells them apart too). */
export function proposalFromFace(face: IdentifiedFace, state: 'proposed' | 'possible' = 'proposed'): Box {
  const prefix = state === 'proposed' ? 'm' : 'p';
  return { id: face.id ?? `${prefix}-${randomUUID()}`, x: face.x, y: face.y, w: face.w, h: face.h, score: face.score, source: 'model', state, edited: false };
}

/**
 * A detected face, perhaps with the id its proposal is to have: a shard's segment names its proposals' ids, so that
 * every process folding that segment line (and every reader merging it before then) gives each box the same id.
 */
export type IdentifiedFace = Face & { id?: string };

export interface DetectionRun {
  file: string;
  width: number;
  height: number;
  faces: IdentifiedFace[];
  /** Faces scored between the possible-face floor and the threshold: kept as `possible` boxes. */
  possible?: IdentifiedFace[];
  detection: NonNullable<ImageRecord['detection']>;
}

export function mergeDetection(previous: ImageRecord | undefined, run: DetectionRun): ImageRecord {
  const kept = (previous?.boxes ?? []).filter(isHumanTouched);
  const undecided = (face: Face) => !kept.some((box) => iou(box, face) > SAME_FACE_IOU);
  const fresh = run.faces.filter(undecided).map((face) => proposalFromFace(face));
  const possible = (run.possible ?? []).filter(undecided).map((face) => proposalFromFace(face, 'possible'));
  // A new, undecided proposal on a reviewed image means someone has to look again (a possible face alone does not).
  const status = previous?.status === 'reviewed' && fresh.length > 0 ? 'unreviewed' : previous?.status ?? 'unreviewed';
  return {
    ...previous,
    file: run.file,
    width: run.width,
    height: run.height,
    boxes: [...kept, ...fresh, ...possible],
    status,
    detection: run.detection,
  };
}
