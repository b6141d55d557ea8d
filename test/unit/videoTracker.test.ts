import assert from 'node:assert/strict';
import { trackProblem, type Track } from '../../daemon/protocol';
import { VeilError } from '../../daemon/errors';
import { DEFAULT_KEYFRAME_TOLERANCE, FaceTracker, type FrameDetections } from '../../daemon/video/tracker';
import { trackBoxAt, trackFirstFrame, trackLastFrame } from '../../daemon/video/trackGeometry';
import { trackTiming } from '../../daemon/video/trackTiming';
import { uncertainStretches } from '../../daemon/video/uncertainStretches';
import { seededRandom } from '../support/seededRandom';
import { detectionsOf, frameRecall, movingFace, trackIdsPerFace, VIDEO_720P, type DetectorModel, type Scene } from '../support/videoTrackerScenes';

const THRESHOLD = 0.6;

function track(scene: Scene, model: DetectorModel = {}): Track[] {
  const tracker = new FaceTracker({ video: scene.video, stride: model.stride ?? 1, threshold: THRESHOLD });
  for (const frame of detectionsOf(scene, model)) tracker.push(frame);
  const tracks = tracker.finish();
  for (const output of tracks) assert.equal(trackProblem(output), undefined, `${output.id} is a valid track`);
  return tracks;
}

const square = (x: number, y: number, size = 100) => ({ x, y, w: size, h: size });
const pad = trackTiming(VIDEO_720P.fps, 1).padFrames;

describe('video tracker', () => {
  it('a panning, zooming face is one track of few keyframes whose box is within the tolerance of the truth at every frame', () => {
    // Accelerating (quadratic) so that linear interpolation has to keep keyframes where the motion bends.
    const face = movingFace('a', 0, 299, { x: 40, y: 300, w: 90, h: 110 }, { x: 1100, y: 200, w: 140, h: 170 }, (t) => t * t);
    const scene: Scene = { video: VIDEO_720P, faces: [face], cuts: [] };
    const tracks = track(scene);
    assert.equal(tracks.length, 1);
    const [only] = tracks;
    assert.ok(only!.keyframes.length <= 300 / 10, `${only!.keyframes.length} keyframes for 300 detections`);
    for (let frame = 0; frame < 300; frame++) {
      const truth = face.boxAt(frame);
      const box = trackBoxAt(only!, frame)!;
      const worst = Math.max(Math.abs(box.x - truth.x) / truth.w, Math.abs(box.x + box.w - truth.x - truth.w) / truth.w, Math.abs(box.y - truth.y) / truth.h, Math.abs(box.y + box.h - truth.y - truth.h) / truth.h);
      assert.ok(worst <= DEFAULT_KEYFRAME_TOLERANCE + 1e-9, `frame ${frame}: an edge ${(worst * 100).toFixed(2)}% of the side away`);
    }
    assert.deepEqual({ id: only!.id, state: only!.state, source: only!.source, edited: only!.edited }, { id: 't1', state: 'proposed', source: 'model', edited: false });
    assert.ok(Math.abs(only!.score! - 0.9) < 1e-9);
  });

  it('two faces crossing keep their identities, detected throughout or with the one behind hidden while they overlap', () => {
    const a = movingFace('a', 0, 119, square(100, 300), square(1000, 320));
    const b = movingFace('b', 0, 119, square(1000, 310), square(100, 290));
    const scene: Scene = { video: { ...VIDEO_720P, frames: 120 }, faces: [a, b], cuts: [] };
    const overlapping = (frame: number) => Math.abs(a.boxAt(frame).x - b.boxAt(frame).x) < 80;
    const overlapFrames = Array.from({ length: 120 }, (_, frame) => frame).filter(overlapping).length;
    assert.ok(overlapFrames >= 8, `the boxes overlap heavily for ${overlapFrames} frames`);
    for (const [name, model] of [
      ['both detected', { noise: 0.02, random: seededRandom(7) }],
      ['b hidden behind a', { noise: 0.02, random: seededRandom(8), hidden: (face, frame) => face.id === 'b' && overlapping(frame) }],
      ['both detected, every third frame', { stride: 3, noise: 0.02, random: seededRandom(9) }],
    ] as Array<[string, DetectorModel]>) {
      const tracks = track(scene, model);
      const ids = trackIdsPerFace(scene, tracks);
      assert.equal(ids.get('a')!.length, 1, `${name}: a followed by ${ids.get('a')}`);
      assert.equal(ids.get('b')!.length, 1, `${name}: b followed by ${ids.get('b')}`);
      assert.notEqual(ids.get('a')![0], ids.get('b')![0], name);
      assert.equal(tracks.length, 2, `${name}: ${tracks.map((t) => t.id)}`);
      assert.equal(frameRecall(scene, tracks).missed.length, 0, name);
    }
  });

  it('two faces crossing slowly keep two tracks while the one behind narrows to its visible side and vanishes for 11 frames', () => {
    // The generated clip YuNet split into three tracks: 10 s at 25 fps, 7.4 px a frame apart, b in front of a.
    const video = { ...VIDEO_720P, fps: 25, frames: 250 };
    const a = movingFace('a', 0, 249, { x: 100, y: 260, w: 82, h: 105 }, { x: 1020, y: 270, w: 82, h: 105 });
    const b = movingFace('b', 0, 249, { x: 1020, y: 265, w: 73, h: 93 }, { x: 100, y: 260, w: 73, h: 93 });
    const scene: Scene = { video, faces: [a, b], cuts: [] };
    for (const stride of [1, 2, 3]) {
      for (let seed = 1; seed <= 5; seed++) {
        const detections = detectionsOf(scene, { stride, noise: 0.02, random: seededRandom(seed), inFront: ['b'] });
        const narrowed = detections.some(({ faces }) => faces.some((face) => face.w < 0.6 * 82));
        assert.ok(narrowed, `stride ${stride}: a is seen at under 60% of its width before it vanishes`);
        const tracker = new FaceTracker({ video, stride, threshold: THRESHOLD });
        for (const frame of detections) tracker.push(frame);
        const tracks = tracker.finish();
        const ids = trackIdsPerFace(scene, tracks);
        assert.deepEqual([tracks.length, ids.get('a')!.length, ids.get('b')!.length], [2, 1, 1], `stride ${stride}, seed ${seed}: ${tracks.map((t) => `${t.id} ${t.keyframes[0]!.frame}-${t.keyframes.at(-1)!.frame}`)}`);
        assert.deepEqual(frameRecall(scene, tracks).missed, [], `stride ${stride}, seed ${seed}`);
      }
    }
  });

  it('a face occluded for 10 frames stays one track, the gap covered by interpolation', () => {
    const face = movingFace('a', 0, 149, square(100, 200, 120), square(900, 260, 120));
    const scene: Scene = { video: { ...VIDEO_720P, frames: 150 }, faces: [face], cuts: [] };
    const tracks = track(scene, { hidden: (_, frame) => frame >= 60 && frame < 70 });
    assert.equal(tracks.length, 1);
    for (let frame = 60; frame < 70; frame++) {
      const box = trackBoxAt(tracks[0]!, frame)!;
      assert.ok(Math.abs(box.x - face.boxAt(frame).x) < 0.05 * 120, `frame ${frame}: x ${box.x} vs ${face.boxAt(frame).x}`);
    }
    assert.deepEqual(frameRecall(scene, tracks).missed, []);
  });

  it('a face missed for longer than the gap span is listed as a gap; past a second it becomes two tracks', () => {
    const face = movingFace('a', 0, 149, square(100, 200), square(700, 200));
    const scene: Scene = { video: { ...VIDEO_720P, frames: 150 }, faces: [face], cuts: [] };
    const { gapFrames, maxMissedFrames } = trackTiming(30, 1);
    const bridged = track(scene, { hidden: (_, frame) => frame >= 50 && frame < 50 + gapFrames + 5 });
    assert.equal(bridged.length, 1);
    const queue = uncertainStretches(bridged, scene.video, { threshold: THRESHOLD, stride: 1 });
    assert.deepEqual(queue, [{ trackId: 't1', from: 50, to: 50 + gapFrames + 4, reason: 'gap' }]);
    const lost = track(scene, { hidden: (_, frame) => frame >= 50 && frame < 50 + maxMissedFrames + 5 });
    assert.equal(lost.length, 2, 'a face missed for more than a second starts a new track');
  });

  it('with the detector on every third frame, every frame of the face is covered', () => {
    const face = movingFace('a', 10, 280, square(60, 100, 80), square(1100, 500, 110));
    const scene: Scene = { video: VIDEO_720P, faces: [face], cuts: [] };
    const tracks = track(scene, { stride: 3, noise: 0.015, random: seededRandom(3) });
    assert.equal(tracks.length, 1);
    const recall = frameRecall(scene, tracks);
    assert.deepEqual(recall.missed, [], `${recall.covered}/${recall.faceFrames}`);
  });

  it('padding covers the frames before the first detection and after the last, clamped to the video', () => {
    const late = movingFace('late', 40, 120, square(200, 200), square(400, 200));
    const early = movingFace('early', 3, 299, square(800, 300), square(900, 300));
    const scene: Scene = { video: VIDEO_720P, faces: [late, early], cuts: [] };
    const [second, first] = track(scene); // in order of birth: `early` first
    assert.equal(first!.keyframes[0]!.frame, 40);
    assert.deepEqual([first!.padBefore, first!.padAfter], [pad, pad]);
    assert.deepEqual(trackBoxAt(first!, 40 - pad), { x: 200, y: 200, w: 100, h: 100 }, 'the first detection held before it');
    assert.equal(trackBoxAt(first!, 40 - pad - 1), null);
    assert.deepEqual([second!.padBefore, second!.padAfter], [3, 0], 'clamped to frame 0 and the last frame');
  });

  it('a scene cut ends every track, nothing is associated across it, and padding does not cross it', () => {
    // The same framing on both sides of the cut (a cut between two shots of similar people).
    const before = movingFace('before', 0, 99, square(500, 300), square(520, 300));
    const after = movingFace('after', 100, 199, square(522, 300), square(540, 300));
    const leavesEarly = movingFace('leaves', 0, 95, square(100, 100), square(100, 100));
    for (const stride of [1, 3]) {
      const scene: Scene = { video: { ...VIDEO_720P, frames: 200 }, faces: [before, after, leavesEarly], cuts: [100] };
      const tracks = track(scene, { stride });
      const ids = trackIdsPerFace(scene, tracks);
      assert.notEqual(ids.get('before')![0], ids.get('after')![0], `stride ${stride}`);
      assert.equal(tracks.length, 3, `stride ${stride}`);
      for (const t of tracks) {
        const covers = (frame: number) => trackBoxAt(t, frame) !== null;
        assert.ok(!(covers(99) && covers(100)), `stride ${stride}: ${t.id} covers ${trackFirstFrame(t)}–${trackLastFrame(t)} across the cut`);
      }
      const afterTrack = tracks.find((t) => t.id === ids.get('after')![0])!;
      assert.equal(trackFirstFrame(afterTrack), 100, `stride ${stride}: starts at the cut (its first detection: ${afterTrack.keyframes[0]!.frame})`);
      assert.deepEqual(frameRecall(scene, tracks).missed, [], `stride ${stride}`);
    }
    const leaves = track({ video: { ...VIDEO_720P, frames: 200 }, faces: [leavesEarly], cuts: [100] })[0]!;
    assert.equal(trackLastFrame(leaves), 99, 'its padding stops at the cut (95 + 4)');
  });

  it('a face leaving the picture ends its track, padded a second at the border: another entering there soon after is a new one', () => {
    const leaving = movingFace('leaving', 0, 60, square(1000, 300), square(1300, 300));
    const entering = movingFace('entering', 64, 140, square(1250, 300), square(900, 300));
    const scene: Scene = { video: { ...VIDEO_720P, frames: 150 }, faces: [leaving, entering], cuts: [] };
    const tracks = track(scene);
    const ids = trackIdsPerFace(scene, tracks);
    assert.notEqual(ids.get('leaving')![0], ids.get('entering')![0]);
    const { edgePadFrames } = trackTiming(30, 1);
    assert.equal(tracks.find((t) => t.id === ids.get('leaving')![0])!.padAfter, edgePadFrames, 'held a second at the border (half out, it is not detected)');
    assert.equal(tracks.find((t) => t.id === ids.get('entering')![0])!.padBefore, edgePadFrames);
    assert.deepEqual(frameRecall(scene, tracks).missed, []);
  });

  it('a one-frame false alarm is a short track at the top of its kind in the queue; a face only ever doubtful is a possible track', () => {
    const real = movingFace('real', 0, 149, square(100, 100), square(600, 100));
    const falseAlarm = movingFace('false', 70, 70, square(900, 500, 40), square(900, 500, 40));
    const doubtful = movingFace('doubtful', 20, 80, square(300, 450, 60), square(400, 450, 60));
    const dips = movingFace('dips', 0, 149, square(800, 100), square(800, 150));
    const scene: Scene = { video: { ...VIDEO_720P, frames: 150 }, faces: [real, falseAlarm, doubtful, dips], cuts: [] };
    const tracks = track(scene, { score: (face, frame) => (face.id === 'doubtful' ? 0.4 : face.id === 'dips' && frame >= 40 && frame < 60 ? 0.35 : 0.9) });
    const ids = trackIdsPerFace(scene, tracks);
    const byFace = (id: string) => tracks.find((t) => t.id === ids.get(id)![0])!;
    assert.equal(byFace('false').state, 'proposed', 'above the threshold: redacted, never dropped');
    assert.equal(byFace('doubtful').state, 'possible');
    assert.ok(Math.abs(byFace('doubtful').score! - 0.4) < 1e-9);
    assert.equal(byFace('dips').state, 'proposed');
    assert.ok(Math.abs(byFace('dips').score! - (0.9 * 130 + 0.35 * 20) / 150) < 1e-9, 'the mean of its detections');
    const faceOf = new Map([...ids].map(([face, sequence]) => [sequence[0]!, face]));
    const queue = uncertainStretches(tracks, scene.video, { threshold: THRESHOLD, stride: 1 });
    assert.deepEqual(
      queue.map(({ trackId, reason, from, to }) => [faceOf.get(trackId), reason, from, to]),
      [
        ['doubtful', 'possible', 20 - pad, 80 + pad],
        ['dips', 'lowScore', 40, 59],
        ['false', 'short', 70 - pad, 70 + pad],
      ],
    );
    // A decided track leaves the queue.
    const decided = tracks.map((t) => (t.id === byFace('false').id ? { ...t, state: 'rejected' as const } : t));
    assert.ok(!uncertainStretches(decided, scene.video, { threshold: THRESHOLD, stride: 1 }).some((s) => s.reason === 'short'));
  });

  it('a still face over ten minutes keeps about two keyframes a second, not one per frame', () => {
    const video = { ...VIDEO_720P, frames: 18_000 };
    const tracker = new FaceTracker({ video, stride: 1, threshold: THRESHOLD });
    for (let frame = 0; frame < video.frames; frame++) tracker.push({ frame, faces: [{ ...square(600, 300), score: 0.9 }] });
    const [still] = tracker.finish();
    const { gapFrames } = trackTiming(30, 1);
    assert.ok(still!.keyframes.length <= Math.ceil(video.frames / gapFrames) + 1, `${still!.keyframes.length} keyframes`);
  });

  it('refuses frames out of order or outside the video, boxes without a size, and frames after finish', () => {
    const tracker = new FaceTracker({ video: VIDEO_720P, stride: 1, threshold: THRESHOLD });
    tracker.push({ frame: 5, faces: [] });
    const refused = (frame: FrameDetections, pattern: RegExp) => assert.throws(() => tracker.push(frame), (error: unknown) => VeilError.is(error) && pattern.test(error.message));
    refused({ frame: 5, faces: [] }, /frame 5: expected a whole number after frame 5/);
    refused({ frame: 300, faces: [] }, /before 300/);
    refused({ frame: 6, faces: [{ x: 0, y: 0, w: 0, h: 10, score: 0.9 }] }, /face 0 is not a box/);
    tracker.finish();
    refused({ frame: 7, faces: [] }, /finished/);
    assert.throws(() => new FaceTracker({ video: VIDEO_720P, stride: 0, threshold: THRESHOLD }), /stride/);
  });
});
