/**
 * What a person does to tracks in the review: move a box at a frame (it becomes a keyframe), remove a keyframe,
 * split a track where it jumped to another face, merge two tracks of one face, draw a new one. Each returns new
 * tracks (the old ones stay for undo), checked with protocol.ts's trackProblem; a refused edit throws a VeilError
 * (InvalidParams) that says why.
 *
 * A track's score after a split or merge is the mean of its keyframes' detector scores: the detections the tracker
 * simplified away are no longer known (trackSimplify.ts).
 */
import { VeilError } from '../errors';
import { ErrorCode, trackProblem, type Rect, type Track, type TrackKeyframe } from '../protocol';
import { trackBoxAt } from './trackGeometry';

function refuse(message: string): never {
  throw new VeilError(ErrorCode.InvalidParams, message);
}

function checked(track: Track): Track {
  const problem = trackProblem(track);
  if (problem !== undefined) refuse(`track ${track.id}${problem}`);
  return track;
}

function keyframeOf(frame: number, rect: Rect): TrackKeyframe {
  if (![rect.x, rect.y, rect.w, rect.h].every(Number.isFinite) || rect.w <= 0 || rect.h <= 0) refuse(`frame ${frame}: a box needs a finite position and a positive size`);
  return { frame, x: rect.x, y: rect.y, w: rect.w, h: rect.h, score: null };
}

function meanScore(keyframes: readonly TrackKeyframe[]): number | null {
  const scores = keyframes.flatMap((key) => (key.score === null ? [] : [key.score]));
  return scores.length === 0 ? null : scores.reduce((sum, score) => sum + score, 0) / scores.length;
}

const firstKey = (track: Track) => track.keyframes[0]!.frame;
const lastKey = (track: Track) => track.keyframes[track.keyframes.length - 1]!.frame;

/** A person's box at `frame`: a keyframe there (score null), replacing the one at that frame if any. */
export function setKeyframe(track: Track, frame: number, rect: Rect): Track {
  const key = keyframeOf(frame, rect);
  const keyframes = [...track.keyframes.filter((other) => other.frame !== frame), key].sort((a, b) => a.frame - b.frame);
  return checked({ ...track, keyframes, edited: true });
}

/** The track without its keyframe at `frame` (the frames around interpolate across); its only keyframe stays. */
export function removeKeyframe(track: Track, frame: number): Track {
  if (!track.keyframes.some((key) => key.frame === frame)) refuse(`track ${track.id} has no keyframe at frame ${frame}`);
  if (track.keyframes.length === 1) refuse(`frame ${frame} is the only keyframe of track ${track.id}: reject the track instead`);
  return checked({ ...track, keyframes: track.keyframes.filter((key) => key.frame !== frame), edited: true });
}

/**
 * The track cut before `frame`: the first part ends at `frame - 1`, the second (id `newId`) starts at `frame`, each
 * with a keyframe at its new end holding the box the track had there, and no padding across the cut (a person put
 * it there). `frame` must lie after the first keyframe and at or before the last.
 */
export function splitTrack(track: Track, frame: number, newId: string): [Track, Track] {
  if (!(Number.isInteger(frame) && frame > firstKey(track) && frame <= lastKey(track))) {
    refuse(`track ${track.id} can be split only after its first keyframe (${firstKey(track)}) and up to its last (${lastKey(track)}), not at ${frame}`);
  }
  if (newId === track.id) refuse(`the part split off needs an id other than ${track.id}`);
  const at = (f: number): TrackKeyframe => track.keyframes.find((key) => key.frame === f) ?? keyframeOf(f, trackBoxAt(track, f)!);
  const before = [...track.keyframes.filter((key) => key.frame < frame - 1), at(frame - 1)];
  const after = [at(frame), ...track.keyframes.filter((key) => key.frame > frame)];
  return [
    checked({ ...track, keyframes: before, score: meanScore(before), padAfter: 0, edited: true }),
    checked({ ...track, id: newId, keyframes: after, score: meanScore(after), padBefore: 0, edited: true }),
  ];
}

/**
 * One track of two of the same face, one after the other (their keyframes must not overlap in time: split one
 * first): `a`'s id, the keyframes of both, the first one's padding before and the last one's after, interpolated
 * across the frames between. Its state is theirs when they agree, else `proposed` (redacted, to be decided again).
 */
export function mergeTracks(a: Track, b: Track): Track {
  if (a.id === b.id) refuse(`track ${a.id} cannot be merged with itself`);
  const [earlier, later] = firstKey(a) <= firstKey(b) ? [a, b] : [b, a];
  if (lastKey(earlier) >= firstKey(later)) {
    refuse(
      `tracks ${earlier.id} (frames ${firstKey(earlier)}–${lastKey(earlier)}) and ${later.id} (frames ${firstKey(later)}–${lastKey(later)}) overlap in time: split one first`,
    );
  }
  const keyframes = [...earlier.keyframes, ...later.keyframes];
  return checked({
    id: a.id,
    source: a.source === 'manual' && b.source === 'manual' ? 'manual' : 'model',
    state: a.state === b.state ? a.state : 'proposed',
    score: meanScore(keyframes),
    keyframes,
    padBefore: earlier.padBefore,
    padAfter: later.padAfter,
    edited: true,
  });
}

/** A track a person draws: one keyframe, accepted (a person saw a face there), no padding (it covers what was drawn). */
export function newTrack(id: string, frame: number, rect: Rect): Track {
  return checked({ id, source: 'manual', state: 'accepted', score: null, keyframes: [keyframeOf(frame, rect)], padBefore: 0, padAfter: 0, edited: false });
}
