/**
 * What the Veil view knows of one dataset: each image's review status and face count, the files a person excluded
 * from anonymization, and the images the daemon could not open. Plain data built from the daemon's answers (no vscode, no daemon calls), so that the view can
 * count and list 10,000 images without asking again.
 */
import { IMAGE_STATUSES, faceCount, type DatasetStatusResult, type ExcludedFile, type FileFailure, type ImageRecord, type ImageStatus } from '../daemon/protocol';

/** The view's groups of images: the review statuses, the files excluded from commits, the images the daemon could not read. */
export const IMAGE_GROUPS = [...IMAGE_STATUSES, 'excluded', 'failed'] as const;
export type ImageGroup = (typeof IMAGE_GROUPS)[number];

/** Every image file of the dataset (`images`) and how many of them are in each group. */
export type DatasetCounts = { images: number } & Record<ImageGroup, number>;

/** One image as the view lists it: its faces (boxes not rejected; undefined: never detected), why it was excluded, or why it could not be read. */
export type ListedImage = { file: string; faces: number | undefined; durationS?: number } | { file: string; excluded: ExcludedFile } | { file: string; failure: string };

interface ImageState {
  status: ImageStatus;
  /** The review record's revision; NO_RECORD for an image never detected. */
  revision: number;
  faces: number | undefined;
  /** A video's duration in seconds. */
  durationS?: number;
}

/** The revision of an image without a review record: any record of it is newer. */
const NO_RECORD = -1;

function stateOf(record: ImageRecord): ImageState {
  return { status: record.status, revision: record.revision ?? 0, faces: faceCount(record.tracks ?? record.boxes), ...(record.video ? { durationS: record.video.durationS } : {}) };
}

export class DatasetSnapshot {
  private constructor(
    /** In the daemon's order (by path). */
    private readonly images: Map<string, ImageState>,
    private readonly failures: readonly FileFailure[],
    private readonly excluded: readonly ExcludedFile[],
  ) {}

  /** From the daemon's `dataset/status` answer. */
  static fromStatus(answer: DatasetStatusResult): DatasetSnapshot {
    const images = new Map<string, ImageState>();
    for (const { file, status, revision, faces, durationS } of answer.images) images.set(file, { status, revision: revision ?? NO_RECORD, faces, ...(durationS === undefined ? {} : { durationS }) });
    return new DatasetSnapshot(images, answer.failures, answer.excluded);
  }

  /**
   * Takes a record the daemon sent later (a change, or the answer to `review/get`); one older than what is known
   * is ignored, as answers may arrive out of order. Returns whether anything changed.
   */
  apply(record: ImageRecord): boolean {
    // An excluded file is out of the review whatever record of it arrives (one heard while the status was being read
    // would list it twice, excluded and unreviewed): only a new status answer, after "Include in Commit Again", brings it back.
    if (this.excluded.some((excluded) => excluded.file === record.file)) return false;
    const known = this.images.get(record.file);
    const state = stateOf(record);
    if (known && known.revision >= state.revision) return false;
    this.images.set(record.file, state);
    return true;
  }

  counts(): DatasetCounts {
    const counts: DatasetCounts = {
      images: this.images.size + this.excluded.length + this.failures.length,
      unreviewed: 0,
      reviewed: 0,
      committed: 0,
      excluded: this.excluded.length,
      failed: this.failures.length,
    };
    for (const { status } of this.images.values()) counts[status]++;
    return counts;
  }

  /** The images of one group, by path. */
  list(group: ImageGroup): ListedImage[] {
    if (group === 'failed') return this.failures.map(({ file, message }) => ({ file, failure: message }));
    if (group === 'excluded') return this.excluded.map((excluded) => ({ file: excluded.file, excluded }));
    const listed: ListedImage[] = [];
    for (const [file, { status, faces, durationS }] of this.images) if (status === group) listed.push({ file, faces, ...(durationS === undefined ? {} : { durationS }) });
    return listed;
  }
}
