/**
 * Folding a new detection run into an image's review record without losing human work:
 * boxes a person accepted, rejected, moved or drew are kept as they are; untouched model proposals are
 * replaced by the new run; a new proposal that overlaps a kept box is dropped (that face was decided).
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

export function isHumanTouched(box: Box): boolean {
  return box.source === 'manual' || box.state !== 'proposed' || box.edited;
}

export function proposalFromFace(face: Face): Box {
  return { id: `m-${randomUUID()}`, x: face.x, y: face.y, w: face.w, h: face.h, score: face.score, source: 'model', state: 'proposed', edited: false };
}

export interface DetectionRun {
  file: string;
  width: number;
  height: number;
  faces: Face[];
  detection: NonNullable<ImageRecord['detection']>;
}

export function mergeDetection(previous: ImageRecord | undefined, run: DetectionRun): ImageRecord {
  const kept = (previous?.boxes ?? []).filter(isHumanTouched);
  const fresh = run.faces.filter((face) => !kept.some((box) => iou(box, face) > SAME_FACE_IOU)).map(proposalFromFace);
  // A new, undecided proposal on a reviewed image means someone has to look again.
  const status = previous?.status === 'reviewed' && fresh.length > 0 ? 'unreviewed' : previous?.status ?? 'unreviewed';
  return {
    ...previous,
    file: run.file,
    width: run.width,
    height: run.height,
    boxes: [...kept, ...fresh],
    status,
    detection: run.detection,
  };
}
