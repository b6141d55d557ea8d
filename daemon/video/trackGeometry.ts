/**
 * Where a track's face is at a frame: the one rule the tracker, the commit's renderer, verify and the review's
 * timeline all use (so what a person sees on the timeline is exactly what a commit covers).
 *
 * - At a keyframe: its box.
 * - Between two keyframes: each edge moves linearly from one to the other (a face occluded or not detected for a
 *   few frames stays covered along the path between where it was last and first seen).
 * - Up to `padBefore` frames before the first keyframe and `padAfter` after the last: that keyframe's box, held
 *   (fail-secure: a face is covered before the detector is sure of it and after it last was).
 * - Elsewhere: nothing.
 */
import type { Rect, Track, TrackKeyframe } from '../protocol';

/** The first frame the track covers, its padding included (never before frame 0). */
export function trackFirstFrame(track: Pick<Track, 'keyframes' | 'padBefore'>): number {
  return Math.max(0, track.keyframes[0]!.frame - track.padBefore);
}

/** The last frame the track covers, its padding included (callers clamp to the video's last frame). */
export function trackLastFrame(track: Pick<Track, 'keyframes' | 'padAfter'>): number {
  return track.keyframes[track.keyframes.length - 1]!.frame + track.padAfter;
}

/** The index of the last keyframe at or before `frame` (-1 when `frame` is before the first): binary search, keyframes sorted. */
function keyframeAtOrBefore(keyframes: readonly TrackKeyframe[], frame: number): number {
  let low = 0;
  let high = keyframes.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (keyframes[middle]!.frame <= frame) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

function boxOf(key: TrackKeyframe): Rect {
  return { x: key.x, y: key.y, w: key.w, h: key.h };
}

/** The box linear between two keyframes at `frame` (edges interpolated, so the box grows and shrinks smoothly). */
export function interpolateBox(from: TrackKeyframe, to: TrackKeyframe, frame: number): Rect {
  const t = (frame - from.frame) / (to.frame - from.frame);
  const left = from.x + (to.x - from.x) * t;
  const top = from.y + (to.y - from.y) * t;
  const right = from.x + from.w + (to.x + to.w - from.x - from.w) * t;
  const bottom = from.y + from.h + (to.y + to.h - from.y - from.h) * t;
  return { x: left, y: top, w: right - left, h: bottom - top };
}

/** The track's box at `frame`, or null where the track does not cover it. */
export function trackBoxAt(track: Pick<Track, 'keyframes' | 'padBefore' | 'padAfter'>, frame: number): Rect | null {
  const keys = track.keyframes;
  if (frame < trackFirstFrame(track) || frame > trackLastFrame(track)) return null;
  const at = keyframeAtOrBefore(keys, frame);
  if (at < 0) return boxOf(keys[0]!);
  if (at === keys.length - 1) return boxOf(keys[at]!);
  const from = keys[at]!;
  if (from.frame === frame) return boxOf(from);
  return interpolateBox(from, keys[at + 1]!, frame);
}
