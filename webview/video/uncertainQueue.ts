/**
 * U: the stretches of a video a person should look at (daemon/video/uncertainStretches.ts: possible tracks, gaps,
 * low scores, short tracks), in the queue's order, one per press. A stretch seen in this pass is skipped until every
 * one has been (then the pass starts again at the top); one decided (its track accepted or rejected) leaves the queue.
 */
import type { ImageRecord, UncertainStretch } from '../../daemon/protocol';
import { uncertainStretches } from '../../daemon/video/uncertainStretches';

/**
 * The operating threshold and stride when the record does not say (a video never detected: its tracks were all drawn).
 * Stride 1 counts a gap from the shortest span the queue can tell (half a second).
 */
const DEFAULT_THRESHOLD = 0.5;
const DEFAULT_STRIDE = 1;

/** A video's uncertain stretches, most uncertain first (none for an image). */
export function stretchesOf(record: ImageRecord): UncertainStretch[] {
  if (!record.video) return [];
  return uncertainStretches(record.tracks ?? [], record.video, { threshold: record.detection?.threshold ?? DEFAULT_THRESHOLD, stride: record.detection?.videoStride ?? DEFAULT_STRIDE });
}

const keyOf = (stretch: UncertainStretch) => `${stretch.trackId}\u0000${stretch.from}\u0000${stretch.to}\u0000${stretch.reason}`;

export class UncertainQueue {
  private file: string | null = null;
  private seen = new Set<string>();

  /** The next stretch to look at, with its place in the queue; undefined when the video has none. */
  next(record: ImageRecord): { stretch: UncertainStretch; index: number; count: number } | undefined {
    if (record.file !== this.file) {
      this.file = record.file;
      this.seen = new Set();
    }
    const stretches = stretchesOf(record);
    if (stretches.length === 0) return undefined;
    let index = stretches.findIndex((stretch) => !this.seen.has(keyOf(stretch)));
    if (index < 0) {
      this.seen = new Set();
      index = 0;
    }
    const stretch = stretches[index]!;
    this.seen.add(keyOf(stretch));
    return { stretch, index, count: stretches.length };
  }
}
