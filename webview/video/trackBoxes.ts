/**
 * A video's tracks as the review shows them: the boxes at one frame (drawn and edited like an image's boxes, the
 * box id being the track's), the order of the timeline's lanes, and how a track is announced.
 */
import type { Box, Track } from '../../daemon/protocol';
import { trackBoxAt, trackFirstFrame, trackLastFrame } from '../../daemon/video/trackGeometry';

/**
 * The tracks' boxes at `frame`, one per track covering it (trackBoxAt: the one rule of where a track's box is), in
 * lane order. A box carries its track's id, state, source, score and edited flag.
 */
export function boxesAtFrame(tracks: readonly Track[], frame: number): Box[] {
  const boxes: Box[] = [];
  for (const track of laneOrder(tracks)) {
    const rect = trackBoxAt(track, frame);
    if (rect) boxes.push({ id: track.id, ...rect, score: track.score, source: track.source, state: track.state, edited: track.edited });
  }
  return boxes;
}

/** The timeline's lanes, top to bottom: by first frame covered, then by id (stable while tracks are edited). */
export function laneOrder(tracks: readonly Track[]): Track[] {
  return [...tracks].sort((a, b) => trackFirstFrame(a) - trackFirstFrame(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The frames a track covers on a video of `frames` frames (its padding included). */
export function trackSpan(track: Track, frames: number): { first: number; last: number } {
  return { first: trackFirstFrame(track), last: Math.min(frames - 1, trackLastFrame(track)) };
}

export function describeTrack(track: Track, index: number, count: number, frames: number): string {
  const { first, last } = trackSpan(track, frames);
  const score = track.score === null ? 'drawn by hand' : `score ${track.score.toFixed(2)}`;
  return `Track ${index + 1} of ${count}, ${track.state}, frames ${first}–${last}, ${score}${track.edited ? ', adjusted by hand' : ''}`;
}
