/**
 * Keeps a track's keyframes few: a detection is dropped when the linear interpolation between the keyframes kept
 * around it (trackGeometry's interpolateBox, the rule every reader of a track uses) reproduces its box within a
 * tolerance. Online (a sliding window from the last kept keyframe), so a track of a 10-minute video streams through
 * with at most one span of pending detections in memory.
 *
 * Two things are never simplified away: a span longer than `maxSpan` frames holding detections (so that a longer
 * span means the detector did not see the face: a gap, trackTiming.ts), and the detections on either side of a
 * change of `band` (the tracker's band is "at or above the threshold": a low-score stretch keeps its ends).
 */
import type { TrackKeyframe } from '../protocol';
import { interpolateBox } from './trackGeometry';

/** Whether the line from `from` to `to` reproduces `key`'s box: each edge within `tolerance` of its side's length. */
function reproduces(from: TrackKeyframe, to: TrackKeyframe, key: TrackKeyframe, tolerance: number): boolean {
  const box = interpolateBox(from, to, key.frame);
  const dx = tolerance * key.w;
  const dy = tolerance * key.h;
  return (
    Math.abs(box.x - key.x) <= dx &&
    Math.abs(box.x + box.w - key.x - key.w) <= dx &&
    Math.abs(box.y - key.y) <= dy &&
    Math.abs(box.y + box.h - key.y - key.h) <= dy
  );
}

export class KeyframeSimplifier {
  private readonly kept: TrackKeyframe[] = [];
  /** Detections after the last kept keyframe, not yet decided; every one but the last lies on the line to the last. */
  private pending: TrackKeyframe[] = [];
  private lastBand: boolean | undefined;

  constructor(
    private readonly tolerance: number,
    private readonly maxSpan: number,
  ) {}

  /** The next detection (frames increasing) and its band. */
  push(key: TrackKeyframe, band: boolean): void {
    const bandChanged = this.lastBand !== undefined && band !== this.lastBand;
    this.lastBand = band;
    if (this.kept.length === 0) {
      this.kept.push(key);
      return;
    }
    if (bandChanged) {
      this.keepPendingEnd();
      this.kept.push(key);
      return;
    }
    if (!this.extends(key)) this.keepPendingEnd();
    this.pending.push(key);
  }

  /** The keyframes: every detection kept or reproduced within the tolerance. */
  finish(): TrackKeyframe[] {
    this.keepPendingEnd();
    return this.kept;
  }

  /** Whether `key` may end the pending span: the span stays short enough and the line to `key` reproduces every pending detection. */
  private extends(key: TrackKeyframe): boolean {
    if (this.pending.length === 0) return true;
    const anchor = this.kept[this.kept.length - 1]!;
    if (key.frame - anchor.frame > this.maxSpan) return false;
    return this.pending.every((pending) => reproduces(anchor, key, pending, this.tolerance));
  }

  private keepPendingEnd(): void {
    const end = this.pending[this.pending.length - 1];
    if (end) this.kept.push(end);
    this.pending = [];
  }
}
