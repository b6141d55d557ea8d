/**
 * Folding imported boxes into an image's review record, by the rules a detection run follows (review/merge.ts): a box
 * a person handled in Veil wins, and an imported box on the same face (IoU above SAME_FACE_IOU) is left out; an
 * untouched model proposal or possible face on the same face as an imported box gives way to it; every other box
 * stays (an import never takes a face away). New proposals send a reviewed image back to unreviewed.
 */
import { decisionSha256 } from '../audit/events';
import { iou, isHumanTouched, SAME_FACE_IOU } from '../review/merge';
import type { Box, ImageRecord } from '../protocol';

export interface ImportMerge {
  record: ImageRecord;
  /** Imported boxes added, and those left out for a box a person handled (or an earlier import decided) on the same face. */
  added: number;
  sameFace: number;
  changed: boolean;
}

export function mergeImport(previous: ImageRecord | undefined, image: Pick<ImageRecord, 'file' | 'width' | 'height'>, imported: readonly Box[]): ImportMerge {
  const existing = previous?.boxes ?? [];
  const onSameFace = (box: Box, others: readonly Box[]) => others.some((other) => iou(box, other) > SAME_FACE_IOU);
  const incoming = imported.filter((box) => !onSameFace(box, existing.filter(isHumanTouched)));
  // The same file imported again: an incoming box just like an undecided box already there is that box (its id kept).
  const already = new Set(incoming.flatMap((box) => existing.find((old) => !isHumanTouched(old) && sameBox(old, box)) ?? []));
  const fresh = incoming.filter((box) => !existing.some((old) => already.has(old) && sameBox(old, box)));
  const kept = existing.filter((box) => isHumanTouched(box) || already.has(box) || !onSameFace(box, fresh));
  const status = previous?.status === 'reviewed' && fresh.some((box) => box.state === 'proposed') ? 'unreviewed' : (previous?.status ?? 'unreviewed');
  const boxes = [...kept, ...fresh];
  const record: ImageRecord = previous ? { ...previous, boxes, status } : { file: image.file, width: image.width, height: image.height, boxes, status };
  const changed = previous ? previous.status !== status || decisionSha256(previous) !== decisionSha256(record) : fresh.length > 0;
  return { record, added: fresh.length, sameFace: imported.length - incoming.length, changed };
}

function sameBox(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h && a.state === b.state && a.source === b.source && a.score === b.score && a.edited === b.edited;
}
