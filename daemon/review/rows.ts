/**
 * An image's row (`ReviewRow`): what the review panel lists, filters, orders and counts of it, derived from its record
 * here only, by the daemon for `dataset/open` and by the panel for every record it hears of later.
 */
import type { Box, BoxState, ImageRecord, ReviewRow, Track } from '../protocol';

/** The faces a person decides on: an image's boxes, a video's tracks (its boxes stay empty). */
export function facesOf(record: ImageRecord): readonly (Box | Track)[] {
  return record.video ? (record.tracks ?? []) : record.boxes;
}

/** Lowest model score on the boxes, whatever the box's state (so the queue does not reshuffle while reviewing). */
function lowestModelScore(boxes: readonly Box[]): number | null {
  let lowest: number | null = null;
  for (const box of boxes) if (box.source === 'model' && box.score !== null && (lowest === null || box.score < lowest)) lowest = box.score;
  return lowest;
}

export function reviewRow(record: ImageRecord): ReviewRow {
  const faces: Record<BoxState, number> = { proposed: 0, accepted: 0, rejected: 0, possible: 0 };
  for (const face of facesOf(record)) faces[face.state]++;
  return {
    file: record.file,
    status: record.status,
    revision: record.revision ?? 0,
    ...(record.video ? { video: record.video } : {}),
    faces,
    manual: record.boxes.filter((box) => box.source === 'manual').length,
    lowestScore: lowestModelScore(record.boxes),
    detectedPossible: record.boxes.filter((box) => box.source === 'model' && (box.state === 'possible' || box.id.startsWith('p-'))).length,
  };
}

/** The faces a commit redacts: neither rejected nor only possible (`faceCount` of the record). */
export function rowFaceCount(row: ReviewRow): number {
  return row.faces.proposed + row.faces.accepted;
}
