/** Which images the filmstrip lists, in which order, and the dataset's progress. */
import type { ReviewRow } from '../daemon/protocol';
import { rowFaceCount, rowFaces } from '../daemon/review/rows';

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

function matchesFilter(row: ReviewRow, filter: Filter, lowConfidence: number): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'unreviewed':
      return row.status === 'unreviewed';
    case 'faces':
      return rowFaceCount(row) > 0;
    case 'lowConfidence':
      return row.lowestScore !== undefined && row.lowestScore < lowConfidence;
    case 'manual':
      return (row.manual ?? 0) > 0;
    case 'possible':
      return rowFaces(row, 'possible') > 0;
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
  rowOf: (file: string) => ReviewRow,
  filter: Filter,
  order: Order,
  lowConfidence: number,
  keep: string | null,
): string[] {
  const listed = files.filter((file) => file === keep || matchesFilter(rowOf(file), filter, lowConfidence));
  if (order === 'name') return listed;
  // Likely misses first (the possible faces detection left, whatever became of them: the queue does not reshuffle
  // while they are resolved), then the lowest model score, whatever the box's state. Array.prototype.sort is stable:
  // equal keys keep name order.
  return listed.sort((a, b) => (rowOf(b).detectedPossible ?? 0) - (rowOf(a).detectedPossible ?? 0) || compareScores(rowOf(a).lowestScore, rowOf(b).lowestScore));
}

/** Lower scores first; an image without a model score last. */
function compareScores(a: number | undefined, b: number | undefined): number {
  const left = a ?? Infinity;
  const right = b ?? Infinity;
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

export interface Progress {
  images: number;
  reviewed: number;
  /** Faces that will be redacted for sure: accepted model boxes and manual boxes. */
  accepted: number;
  /** Model proposals still waiting for a decision. */
  proposed: number;
}

export function computeProgress(rows: Iterable<ReviewRow>): Progress {
  const progress: Progress = { images: 0, reviewed: 0, accepted: 0, proposed: 0 };
  for (const row of rows) {
    progress.images++;
    if (row.status !== 'unreviewed') progress.reviewed++;
    progress.accepted += rowFaces(row, 'accepted');
    progress.proposed += rowFaces(row, 'proposed');
  }
  return progress;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
