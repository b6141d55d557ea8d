import assert from 'node:assert/strict';
import { VeilError } from '../../daemon/errors';
import { ErrorCode, trackProblem, type Track } from '../../daemon/protocol';
import { mergeTracks, newTrack, removeKeyframe, setKeyframe, splitTrack } from '../../daemon/video/trackEdits';
import { trackBoxAt } from '../../daemon/video/trackGeometry';

const modelTrack = (id: string, frames: number[], x0 = 100): Track => ({
  id,
  source: 'model',
  state: 'proposed',
  score: 0.8,
  keyframes: frames.map((frame, i) => ({ frame, x: x0 + 10 * frame, y: 50, w: 80, h: 100, score: [0.7, 0.8, 0.9, 1][i]! })),
  padBefore: 5,
  padAfter: 5,
  edited: false,
});

const refused = (edit: () => unknown, pattern: RegExp) =>
  assert.throws(edit, (error: unknown) => VeilError.is(error) && error.code === ErrorCode.InvalidParams && pattern.test(error.message));

describe('video tracker: track edits', () => {
  it('a box set by a person becomes a keyframe (score null) at its frame, inserted or replacing, and the track is edited', () => {
    const track = modelTrack('t1', [10, 20, 30]);
    const inserted = setKeyframe(track, 15, { x: 0, y: 0, w: 50, h: 60 });
    assert.deepEqual(inserted.keyframes.map((key) => [key.frame, key.score]), [[10, 0.7], [15, null], [20, 0.8], [30, 0.9]]);
    assert.deepEqual(trackBoxAt(inserted, 15), { x: 0, y: 0, w: 50, h: 60 });
    assert.equal(inserted.edited, true);
    assert.equal(track.keyframes.length, 3, 'the original is unchanged (undo)');
    const replaced = setKeyframe(track, 20, { x: 1, y: 2, w: 3, h: 4 });
    assert.deepEqual(replaced.keyframes.map((key) => key.frame), [10, 20, 30]);
    assert.equal(replaced.keyframes[1]!.score, null);
    refused(() => setKeyframe(track, 12, { x: 0, y: 0, w: 0, h: 10 }), /frame 12: a box needs a finite position and a positive size/);
    refused(() => setKeyframe(track, -1, { x: 0, y: 0, w: 5, h: 5 }), /track t1\.keyframes\[0\]/);
  });

  it('removing a keyframe interpolates across it; the only keyframe, or one that is not there, is refused', () => {
    const track = setKeyframe(modelTrack('t1', [10, 30]), 20, { x: 900, y: 50, w: 80, h: 100 });
    const removed = removeKeyframe(track, 20);
    assert.deepEqual(trackBoxAt(removed, 20), { x: 300, y: 50, w: 80, h: 100 });
    refused(() => removeKeyframe(track, 21), /track t1 has no keyframe at frame 21/);
    refused(() => removeKeyframe(modelTrack('t2', [10]), 10), /only keyframe of track t2: reject the track instead/);
  });

  it('a split gives two tracks that together cover every frame as before, with no padding across the split', () => {
    const track = modelTrack('t1', [10, 20, 40, 60]);
    const [first, second] = splitTrack(track, 31, 't9');
    assert.deepEqual([first.id, second.id], ['t1', 't9']);
    assert.deepEqual([first.keyframes.at(-1)!.frame, second.keyframes[0]!.frame], [30, 31]);
    for (let frame = 5; frame <= 65; frame++) {
      const expected = trackBoxAt(track, frame);
      const part = frame <= 30 ? first : second;
      assert.deepEqual(trackBoxAt(part, frame), expected, `frame ${frame}`);
      assert.equal(trackBoxAt(frame <= 30 ? second : first, frame), null, `frame ${frame}: covered by one part only`);
    }
    assert.ok([first, second].every((part) => part.edited && trackProblem(part) === undefined));
    assert.ok(Math.abs(first.score! - 0.75) < 1e-9, 'the mean of its keyframes\' detector scores');
    const [, atKey] = splitTrack(track, 20, 't8');
    assert.deepEqual(atKey.keyframes.map((key) => key.frame), [20, 40, 60]);
    assert.equal(atKey.keyframes[0]!.score, track.keyframes[1]!.score, 'a split at a keyframe keeps that detection');
    refused(() => splitTrack(track, 10, 't9'), /can be split only after its first keyframe \(10\) and up to its last \(60\), not at 10/);
    refused(() => splitTrack(track, 61, 't9'), /not at 61/);
    refused(() => splitTrack(track, 30, 't1'), /needs an id other than t1/);
  });

  it('merging two tracks one after the other unites their keyframes; overlapping tracks are refused with both ranges named', () => {
    const a = modelTrack('t1', [40, 50], 0);
    const b = { ...modelTrack('t2', [10, 20], 0), state: 'accepted' as const };
    const merged = mergeTracks(a, b);
    assert.equal(merged.id, 't1');
    assert.deepEqual(merged.keyframes.map((key) => key.frame), [10, 20, 40, 50]);
    assert.deepEqual([merged.padBefore, merged.padAfter, merged.state, merged.edited], [5, 5, 'proposed', true]);
    assert.deepEqual(trackBoxAt(merged, 30), { x: 300, y: 50, w: 80, h: 100 }, 'interpolated across the frames between');
    refused(() => mergeTracks(a, modelTrack('t3', [45, 70])), /tracks t1 \(frames 40–50\) and t3 \(frames 45–70\) overlap in time: split one first/);
    refused(() => mergeTracks(a, a), /cannot be merged with itself/);
  });

  it('a drawn track is manual and accepted, one keyframe, no padding', () => {
    const drawn = newTrack('m1', 12, { x: 1, y: 2, w: 30, h: 40 });
    assert.deepEqual(drawn, { id: 'm1', source: 'manual', state: 'accepted', score: null, keyframes: [{ frame: 12, x: 1, y: 2, w: 30, h: 40, score: null }], padBefore: 0, padAfter: 0, edited: false });
    refused(() => newTrack('', 12, { x: 1, y: 2, w: 30, h: 40 }), /\.id: expected a non-empty string/);
  });
});
