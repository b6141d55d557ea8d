/**
 * Faces followed through a video: detections (on every `stride`-th frame) associated into tracks, streamed.
 *
 * At each detection frame every live track's constant-velocity Kalman filter (kalman.ts) predicts where its face
 * is; detections are assigned to tracks by least total cost (assignment.ts), the cost being 1 − IoU plus the centre
 * distance in face sizes, within a gate (the distance the filter's uncertainty allows, and a size ratio). The
 * velocity is what keeps two crossing faces apart: at the crossing both boxes overlap, but each prediction lies
 * on its own face's path. A track not detected for more than a second (trackTiming.ts) ends, so a short
 * occlusion is bridged (the frames between are interpolated); one whose predicted face left the picture ends at
 * once; every track ends at a scene cut and none continues across one. Padding (trackTiming.ts) holds the first and
 * last box a quarter second, a second at the picture's border (a face entering or leaving is missed while half out),
 * never across a cut or past the video.
 *
 * Fail-secure: every detection given becomes part of a track (the tracker drops none). A track with any detection at
 * or above the operating threshold is `proposed`; one whose detections all stayed below it (possible faces,
 * daemon/review/possibleFaces.ts) is `possible`. Short tracks are output too; the review queue flags them
 * (uncertainStretches.ts).
 *
 * Memory: the live tracks' filters and pending keyframe spans; a finished track keeps only its simplified keyframes.
 */
import { VeilError } from '../errors';
import { ErrorCode, type Face, type Rect, type Track, type VideoInfo } from '../protocol';
import { iou } from '../review/merge';
import { FORBIDDEN, minCostAssignment } from './assignment';
import { BoxKalman, sizeOf, type BoxPrediction } from './kalman';
import { KeyframeSimplifier } from './trackSimplify';
import { trackTiming, type TrackTiming } from './trackTiming';

/** What the detector found on one frame it ran on. */
export interface FrameDetections {
  frame: number;
  faces: readonly Face[];
  /** This frame starts a new scene (sceneCut.ts). A cut on a frame the detector skipped: push that frame with no faces. */
  sceneCut?: boolean;
}

export interface TrackerOptions {
  video: Pick<VideoInfo, 'width' | 'height' | 'frames' | 'fps'>;
  /** The detector runs on every `stride`-th frame. */
  stride: number;
  /** The detector's operating threshold: a track with a detection at or above it is proposed, else possible. */
  threshold: number;
  /** How far (fraction of the box's side, per edge) interpolation may stray from a dropped detection. */
  keyframeTolerance?: number;
}

/**
 * 8% of the face's side per edge. YuNet's boxes jitter by 1.6% of the side per edge (median; 3.2% at the 90th
 * percentile) on a still picture merely panned (bench/results/videoTracker.md), so a tighter tolerance keeps nearly
 * every detection: on a 300-frame pan with 2% jitter, 2% keeps 273 keyframes, 5% 99, 8% 26 (21 is the half-second
 * span cap, trackTiming.ts), with the same worst edge error against the truth (the line through jittered boxes
 * smooths them) and the commit's 25% margin (daemon/redact/geometry.ts) still three times what it may stray.
 */
export const DEFAULT_KEYFRAME_TOLERANCE = 0.08;

/** The gate: a detection more than this many of the prediction's standard deviations away is not the track's face… */
const GATE_SIGMAS = 4;
/** …unless it lies within half a face of the prediction (a still face's prediction is very sure, detections jitter). */
const MIN_GATE_SIZES = 0.5;
/**
 * Width or height more than this factor apart from both the prediction and the track's last detection: another face
 * (a face does not double in size between detections). The last detection as well, because a face passing behind
 * another is boxed by its visible side, narrowing as it goes, and the filter carries the shrinking on through the
 * miss: on the generated slow crossing (two faces of 82 and 73 px crossing at 7.4 px a frame, YuNet), the face behind
 * was hidden 11 frames, predicted 30 × 52 px when it came out 47 × 85 (1.64×; 1.76× at every second frame), and a
 * third track was born for it; against its last detection, 42 × 79, it is 1.12×.
 */
const MAX_SIZE_RATIO = 1.6;
/**
 * The gate's floor grows by this share for each detection frame a track was not found at: a face passing behind
 * another comes out where its velocity, slowed by the narrowing boxes before it vanished, no longer points (the
 * generated crossing at stride 1: hidden 4 frames, found again 80 px from its prediction; a second track was born).
 */
const MISSED_GATE_GROWTH = 0.5;
/** A track whose predicted box is less than this fraction inside the picture has left it. */
const MIN_INSIDE_FRACTION = 0.5;
/** A box closer than this fraction of its size to the picture's border is at the border (its padding is edgePadFrames). */
const BORDER_DISTANCE = 0.25;

interface LiveTrack {
  /** Birth order, from 1: the id is `t<number>`. */
  number: number;
  filter: BoxKalman;
  lastSeen: number;
  lastBox: Rect;
  sceneStart: number;
  keyframes: KeyframeSimplifier;
  scoreSum: number;
  detections: number;
  topScore: number;
}

/** A track that ended, waiting for the end of its scene (the next cut, or the video's end) to clamp its padding. */
interface EndedTrack {
  track: Track;
  sceneStart: number;
}

export class FaceTracker {
  private readonly timing: TrackTiming;
  private readonly tolerance: number;
  private live: LiveTrack[] = [];
  private endedInScene: EndedTrack[] = [];
  private readonly done: Track[] = [];
  private born = 0;
  private lastFrame = -1;
  private sceneStart = 0;
  private finished = false;

  constructor(private readonly options: TrackerOptions) {
    const { video, stride } = options;
    if (!(Number.isInteger(stride) && stride >= 1)) throw new VeilError(ErrorCode.InvalidParams, `the detection stride must be a whole number ≥ 1, not ${stride}`);
    if (!(video.fps > 0 && Number.isInteger(video.frames) && video.frames >= 0)) throw new VeilError(ErrorCode.InvalidParams, `a video needs a positive rate and a frame count (got ${video.fps} fps, ${video.frames} frames)`);
    this.timing = trackTiming(video.fps, stride);
    this.tolerance = options.keyframeTolerance ?? DEFAULT_KEYFRAME_TOLERANCE;
  }

  push({ frame, faces, sceneCut }: FrameDetections): void {
    if (this.finished) throw new VeilError(ErrorCode.Internal, 'the tracker has finished: no more frames');
    if (!(Number.isInteger(frame) && frame > this.lastFrame && frame < this.options.video.frames)) {
      throw new VeilError(ErrorCode.InvalidParams, `frame ${frame}: expected a whole number after frame ${this.lastFrame} and before ${this.options.video.frames}`);
    }
    const bad = faces.findIndex((face) => ![face.x, face.y, face.w, face.h, face.score].every(Number.isFinite) || face.w <= 0 || face.h <= 0);
    if (bad >= 0) throw new VeilError(ErrorCode.InvalidParams, `frame ${frame}: face ${bad} is not a box with a positive size and a score`);
    this.lastFrame = frame;
    if (sceneCut) this.endScene(frame);
    this.endMissing(frame);
    const predictions = this.live.map((track) => track.filter.predict(frame));
    const estimates = predictions.map((prediction) => prediction.estimate());
    const missed = this.live.map((track) => (frame - track.lastSeen) / this.options.stride - 1);
    const trackOf = minCostAssignment(faces.map((face) => estimates.map((estimate, index) => associationCost(estimate, this.live[index]!.lastBox, face, missed[index]!))));
    const taken = new Set<number>();
    trackOf.forEach((index, faceIndex) => {
      if (index < 0) return;
      taken.add(index);
      this.observe(this.live[index]!, predictions[index]!, frame, faces[faceIndex]!);
    });
    const left = this.live.filter((_, index) => !taken.has(index) && insideFraction(estimates[index]!.box, this.options.video) < MIN_INSIDE_FRACTION);
    for (const track of left) this.end(track);
    faces.forEach((face, faceIndex) => {
      if (trackOf[faceIndex]! < 0) this.birth(frame, face);
    });
  }

  /** Where the live tracks predict their faces at `frame` (after the last frame pushed): where a detector may look first. */
  predictedBoxes(frame: number): Rect[] {
    return this.live.map((track) => track.filter.predict(frame).estimate().box);
  }

  /** Every track, in order of birth, its padding clamped to its scene. The tracker takes no more frames after. */
  finish(): Track[] {
    if (!this.finished) {
      this.finished = true;
      this.endScene(this.options.video.frames);
    }
    return [...this.done].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
  }

  /** Ends every track of the scene that ends before `nextSceneStart`, clamping the padding to the scene. */
  private endScene(nextSceneStart: number): void {
    for (const track of [...this.live]) this.end(track);
    const sceneEnd = nextSceneStart - 1;
    for (const { track, sceneStart } of this.endedInScene) {
      const first = track.keyframes[0]!.frame;
      const last = track.keyframes[track.keyframes.length - 1]!.frame;
      this.done.push({ ...track, padBefore: Math.min(track.padBefore, first - sceneStart), padAfter: Math.max(0, Math.min(track.padAfter, sceneEnd - last)) });
    }
    this.endedInScene = [];
    this.sceneStart = nextSceneStart;
  }

  private endMissing(frame: number): void {
    for (const track of this.live.filter((live) => frame - live.lastSeen > this.timing.maxMissedFrames)) this.end(track);
  }

  private birth(frame: number, face: Face): void {
    const track: LiveTrack = {
      number: ++this.born,
      filter: BoxKalman.start(face, frame),
      lastSeen: frame,
      lastBox: face,
      sceneStart: this.sceneStart,
      keyframes: new KeyframeSimplifier(this.tolerance, this.timing.gapFrames),
      scoreSum: 0,
      detections: 0,
      topScore: -Infinity,
    };
    this.record(track, frame, face);
    this.live.push(track);
  }

  private observe(track: LiveTrack, prediction: BoxKalman, frame: number, face: Face): void {
    track.filter = prediction.update(face);
    track.lastSeen = frame;
    track.lastBox = face;
    this.record(track, frame, face);
  }

  private record(track: LiveTrack, frame: number, face: Face): void {
    track.keyframes.push({ frame, x: face.x, y: face.y, w: face.w, h: face.h, score: face.score }, face.score >= this.options.threshold);
    track.scoreSum += face.score;
    track.detections++;
    track.topScore = Math.max(track.topScore, face.score);
  }

  private end(track: LiveTrack): void {
    this.live = this.live.filter((live) => live !== track);
    const keyframes = track.keyframes.finish();
    const padAt = (box: Rect) => (atBorder(box, this.options.video) ? this.timing.edgePadFrames : this.timing.padFrames);
    this.endedInScene.push({
      sceneStart: track.sceneStart,
      track: {
        id: `t${track.number}`,
        source: 'model',
        state: track.topScore >= this.options.threshold ? 'proposed' : 'possible',
        score: track.scoreSum / track.detections,
        keyframes,
        padBefore: padAt(keyframes[0]!),
        padAfter: padAt(keyframes[keyframes.length - 1]!),
        edited: false,
      },
    });
  }
}

/**
 * The cost of giving `face` to the track predicted at `estimate`, last detected at `lastBox`, not detected at its last
 * `missed` detection frames: 1 − IoU plus the centre distance in face sizes; FORBIDDEN outside the gate.
 */
function associationCost({ box, centreStd }: BoxPrediction, lastBox: Rect, face: Face, missed: number): number {
  const size = sizeOf(box);
  const distance = Math.hypot(face.x + face.w / 2 - (box.x + box.w / 2), face.y + face.h / 2 - (box.y + box.h / 2));
  const gate = Math.max(GATE_SIGMAS * centreStd, MIN_GATE_SIZES * size * (1 + MISSED_GATE_GROWTH * missed));
  if (distance > gate || Math.min(sizeRatio(face, box), sizeRatio(face, lastBox)) > MAX_SIZE_RATIO) return FORBIDDEN;
  return 1 - iou(box, face) + distance / size;
}

/** How many times wider or taller one box is than the other (≥ 1). */
function sizeRatio(a: Rect, b: Rect): number {
  return Math.max(a.w / b.w, b.w / a.w, a.h / b.h, b.h / a.h);
}

/** Whether `box` lies within a quarter of its size of the picture's border (a face entering or leaving). */
function atBorder(box: Rect, video: Pick<VideoInfo, 'width' | 'height'>): boolean {
  return box.x < BORDER_DISTANCE * box.w || box.y < BORDER_DISTANCE * box.h || box.x + box.w * (1 + BORDER_DISTANCE) > video.width || box.y + box.h * (1 + BORDER_DISTANCE) > video.height;
}

/** The fraction of `box` inside the picture. */
function insideFraction(box: Rect, video: Pick<VideoInfo, 'width' | 'height'>): number {
  const w = Math.max(0, Math.min(box.x + box.w, video.width) - Math.max(box.x, 0));
  const h = Math.max(0, Math.min(box.y + box.h, video.height) - Math.max(box.y, 0));
  return (w * h) / (box.w * box.h);
}
