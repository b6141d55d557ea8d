/** Which images a commit takes: reviewed ones, plus unreviewed ones with model boxes when asked; never twice. */
import type { Box, DatasetEntry, ImageRecord } from '../protocol';

export interface Selection {
  files: string[];
  skipped: Array<{ file: string; reason: string }>;
}

export function selectImages(entries: readonly DatasetEntry[], recordOf: (file: string) => ImageRecord | undefined, includeUnreviewed: boolean): Selection {
  const selection: Selection = { files: [], skipped: [] };
  for (const { file } of entries) {
    const record = recordOf(file);
    if (record?.status === 'committed') selection.skipped.push({ file, reason: 'already committed' });
    else if (record?.status === 'reviewed') selection.files.push(file);
    else if (!includeUnreviewed) selection.skipped.push({ file, reason: 'not reviewed (use --include-unreviewed to commit model boxes as they are)' });
    else if (record?.detection) selection.files.push(file);
    else selection.skipped.push({ file, reason: 'never run through detection' });
  }
  return selection;
}

/** The boxes painted over: every box a person did not reject. */
export function boxesToRedact(boxes: readonly Box[]): Box[] {
  return boxes.filter((box) => box.state !== 'rejected');
}
