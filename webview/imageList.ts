/** Which images the filmstrip lists, in which order, and the dataset's progress. */
import { faceCount, type Box, type ImageRecord } from '../daemon/protocol';
import { facesOf } from './boxEdits';

export type Filter = 'all' | 'unreviewed' | 'faces' | 'lowConfidence' | 'manual' | 'possible';
export type Order = 'name' | 'confidence';

export const FILTERS: ReadonlyArray<{ value: Filter; label: string }> = [
  { value: 'all', label: 'All images' },
  { value: 'unreviewed', label: 'Unreviewed' },
  { value: 'faces', label: 'Has faces' },
  { value: 'lowConfidence', label: 'Low confidence' },
  { value: 'manual', label: 'Has manual boxes' },
  { value: 'possible', label: 'Unresolved possible faces' },
];
export const ORDERS: ReadonlyArray<{ value: Order; label: string }> = [
  { value: 'name', label: 'By name' },
  { value: 'confidence', label: 'Queue: possible faces, then lowest score' },
];

export const DEFAULT_LOW_CONFIDENCE = 0.6;

export function isFilter(value: unknown): value is Filter {
  return FILTERS.some((filter) => filter.value === value);
}
export function isOrder(value: unknown): value is Order {
  return ORDERS.some((order) => order.value === value);
}

/** Lowest model score on the image, whatever the box's state (so the queue does not reshuffle while reviewing). */
function lowestModelScore(boxes: readonly Box[]): number {
  let lowest = Infinity;
  for (const box of boxes) if (box.source === 'model' && box.score !== null && box.score < lowest) lowest = box.score;
  return lowest;
}

function matchesFilter(record: ImageRecord, filter: Filter, lowConfidence: number): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'unreviewed':
      return record.status === 'unreviewed';
    case 'faces':
      return faceCount(record.boxes) > 0;
    case 'lowConfidence':
      return lowestModelScore(record.boxes) < lowConfidence;
    case 'manual':
      return record.boxes.some((box) => box.source === 'manual');
    case 'possible':
      return record.boxes.some((box) => box.state === 'possible');
    default:
      return assertNever(filter);
  }
}

/**
 * The files to list: those matching the filter, plus `keep` (the image on screen stays listed while it is
 * edited, even when an edit makes it leave the filter). `files` is in name order.
 */
export function buildImageList(
  files: readonly string[],
  recordOf: (file: string) => ImageRecord,
  filter: Filter,
  order: Order,
  lowConfidence: number,
  keep: string | null,
): string[] {
  const listed = files.filter((file) => file === keep || matchesFilter(recordOf(file), filter, lowConfidence));
  if (order === 'name') return listed;
  const key = new Map(listed.map((file) => [file, { possible: detectedPossible(recordOf(file)), score: lowestModelScore(recordOf(file).boxes) }]));
  // Array.prototype.sort is stable: equal keys keep name order.
  return listed.sort((a, b) => key.get(b)!.possible - key.get(a)!.possible || compareScores(key.get(a)!.score, key.get(b)!.score));
}

/**
 * The possible faces detection left on an image, whatever became of them since (promoted boxes and dismissed ones
 * keep their `p-` id, daemon/review/merge.ts): likely misses first, and the queue does not reshuffle while they are
 * resolved (as the lowest score, it ignores the boxes' states).
 */
function detectedPossible(record: ImageRecord): number {
  return record.boxes.filter((box) => box.source === 'model' && (box.state === 'possible' || box.id.startsWith('p-'))).length;
}

function compareScores(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export interface Progress {
  images: number;
  reviewed: number;
  /** Faces that will be redacted for sure: accepted model boxes and manual boxes. */
  accepted: number;
  /** Model proposals still waiting for a decision. */
  proposed: number;
}

export function computeProgress(records: Iterable<ImageRecord>): Progress {
  const progress: Progress = { images: 0, reviewed: 0, accepted: 0, proposed: 0 };
  for (const record of records) {
    progress.images++;
    if (record.status !== 'unreviewed') progress.reviewed++;
    for (const face of facesOf(record)) {
      if (face.state === 'accepted') progress.accepted++;
      else if (face.state === 'proposed') progress.proposed++;
    }
  }
  return progress;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
