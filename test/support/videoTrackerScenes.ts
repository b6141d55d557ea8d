/**
 * Faces moving through a video whose truth is known by construction, and what a detector would report on them
 * (box noise, missed detections, faces hidden behind others, a stride): the tracker's tests and its benchmark
 * (bench/videoTracker.ts) measure tracks against this truth.
 */
import type { Face, Rect, Track, VideoInfo } from '../../daemon/protocol';
import { redactionRegion } from '../../daemon/redact/geometry';
import { DEFAULT_MARGIN } from '../../daemon/protocol';
import { iou } from '../../daemon/review/merge';
import type { FrameDetections } from '../../daemon/video/tracker';
import { trackBoxAt } from '../../daemon/video/trackGeometry';
import type { Random } from './seededRandom';

export type SceneVideo = Pick<VideoInfo, 'width' | 'height' | 'frames' | 'fps'>;

/** One true face: on screen from `from` to `to` (inclusive), its box at each of those frames. */
export interface TrueFace {
  id: string;
  from: number;
  to: number;
  boxAt(frame: number): Rect;
}

export interface Scene {
  video: SceneVideo;
  faces: TrueFace[];
  /** Frames that start a new shot. */
  cuts: number[];
}

export const VIDEO_720P: SceneVideo = { width: 1280, height: 720, frames: 300, fps: 30 };

/** A face moving from `start` to `end` between frames `from` and `to`, each edge along `ease` (t in 0..1 → 0..1; linear by default). */
export function movingFace(id: string, from: number, to: number, start: Rect, end: Rect, ease: (t: number) => number = (t) => t): TrueFace {
  return {
    id,
    from,
    to,
    boxAt(frame) {
      const t = ease(to === from ? 0 : (frame - from) / (to - from));
      return { x: start.x + (end.x - start.x) * t, y: start.y + (end.y - start.y) * t, w: start.w + (end.w - start.w) * t, h: start.h + (end.h - start.h) * t };
    },
  };
}

export interface DetectorModel {
  stride?: number;
  /** Standard deviation of each edge's error, as a fraction of the box's side. */
  noise?: number;
  /** Chance a visible face is not detected on a frame. */
  missRate?: number;
  /** The score of every detection (default 0.9), or a score per face and frame. */
  score?: number | ((face: TrueFace, frame: number) => number);
  /** Frames a face is not detected at all (occluded). */
  hidden?: (face: TrueFace, frame: number) => boolean;
  /**
   * The faces nearer the camera than every other: a face passing behind one is reported as its visible side, as
   * YuNet reported the face behind on the generated slow crossing (test/daemon/videoTracking.test.ts): the box
   * narrowed to the visible part, its height to three quarters at half the width, and no detection once less than
   * half of the face showed.
   */
  inFront?: readonly string[];
  random?: Random;
}

/** Less than this fraction of a face's width visible beside the faces in front of it: the detector does not find it. */
const DETECTABLE_VISIBLE = 0.5;

/** Less than this fraction of a face inside the picture: the detector does not find it. */
const DETECTABLE_INSIDE = 0.6;

/** The frames the detector runs on, and a cut frame it skipped pushed with no faces (as the tracker asks). */
export function detectionsOf(scene: Scene, model: DetectorModel = {}): FrameDetections[] {
  const stride = model.stride ?? 1;
  const frames: FrameDetections[] = [];
  for (let frame = 0; frame < scene.video.frames; frame++) {
    const cut = scene.cuts.includes(frame);
    if (frame % stride !== 0) {
      if (cut) frames.push({ frame, faces: [], sceneCut: true });
      continue;
    }
    const faces: Face[] = [];
    for (const face of scene.faces) {
      if (frame < face.from || frame > face.to || model.hidden?.(face, frame)) continue;
      const box = visiblePart(face, frame, scene.faces.filter((other) => other !== face && model.inFront?.includes(other.id) && frame >= other.from && frame <= other.to));
      if (!box) continue;
      if (insideFraction(box, scene.video) < DETECTABLE_INSIDE) continue;
      if (model.missRate && model.random!.chance(model.missRate)) continue;
      const score = typeof model.score === 'function' ? model.score(face, frame) : model.score ?? 0.9;
      faces.push({ ...noisy(box, model.noise ?? 0, model.random), score });
    }
    frames.push(cut ? { frame, faces, sceneCut: true } : { frame, faces });
  }
  return frames;
}

/** The box a detector reports for `face` partly behind the faces `front`: its widest uncovered side; null below DETECTABLE_VISIBLE. */
function visiblePart(face: TrueFace, frame: number, front: readonly TrueFace[]): Rect | null {
  const box = face.boxAt(frame);
  let spans: Array<[number, number]> = [[box.x, box.x + box.w]];
  for (const other of front) {
    const cover = other.boxAt(frame);
    if (cover.y >= box.y + box.h || cover.y + cover.h <= box.y) continue;
    spans = spans.flatMap(([left, right]): Array<[number, number]> => [[left, Math.min(right, cover.x)], [Math.max(left, cover.x + cover.w), right]]).filter(([left, right]) => right > left);
  }
  const [left, right] = spans.reduce((widest, span) => (span[1] - span[0] > widest[1] - widest[0] ? span : widest), [0, 0]);
  const fraction = (right - left) / box.w;
  if (fraction >= 1) return box;
  if (fraction < DETECTABLE_VISIBLE) return null;
  const h = box.h * (0.5 + 0.5 * fraction);
  return { x: left, y: box.y + (box.h - h) / 2, w: right - left, h };
}

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

function noisy(box: Rect, noise: number, random: Random | undefined): Rect {
  if (noise === 0) return box;
  const left = box.x + gaussian(random!) * noise * box.w;
  const right = box.x + box.w + gaussian(random!) * noise * box.w;
  const top = box.y + gaussian(random!) * noise * box.h;
  const bottom = box.y + box.h + gaussian(random!) * noise * box.h;
  return { x: left, y: top, w: Math.max(1, right - left), h: Math.max(1, bottom - top) };
}

export function insideFraction(box: Rect, video: Pick<SceneVideo, 'width' | 'height'>): number {
  const w = Math.max(0, Math.min(box.x + box.w, video.width) - Math.max(box.x, 0));
  const h = Math.max(0, Math.min(box.y + box.h, video.height) - Math.max(box.y, 0));
  return (w * h) / (box.w * box.h);
}

/** How much of a face's on-screen part the regions a commit would redact cover (a 12 × 12 grid of sample points). */
function coveredFraction(face: Rect, tracks: readonly Track[], frame: number, video: SceneVideo): number {
  const regions = tracks.flatMap((track) => {
    const box = trackBoxAt(track, frame);
    return box ? [redactionRegion(box, DEFAULT_MARGIN, video.width, video.height)] : [];
  });
  let inside = 0;
  let counted = 0;
  const n = 12;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = face.x + ((i + 0.5) * face.w) / n;
      const y = face.y + ((j + 0.5) * face.h) / n;
      if (x < 0 || y < 0 || x >= video.width || y >= video.height) continue;
      counted++;
      if (regions.some((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)) inside++;
    }
  }
  return counted === 0 ? 1 : inside / counted;
}

/** A face-frame counts as covered when at least this much of it lies inside the redacted regions. */
export const COVERED_FRACTION = 0.9;

export interface Recall {
  faceFrames: number;
  covered: number;
  /** The face-frames not covered, `face@frame`. */
  missed: string[];
}

/** Of every frame each true face is on screen (its on-screen part at least a fifth of it), those the tracks a commit redacts cover. */
export function frameRecall(scene: Scene, tracks: readonly Track[]): Recall {
  const redacted = tracks.filter((track) => track.state === 'proposed' || track.state === 'accepted');
  const missed: string[] = [];
  let faceFrames = 0;
  for (const face of scene.faces) {
    for (let frame = face.from; frame <= face.to; frame++) {
      const box = face.boxAt(frame);
      if (insideFraction(box, scene.video) < 0.2) continue;
      faceFrames++;
      if (coveredFraction(box, redacted, frame, scene.video) < COVERED_FRACTION) missed.push(`${face.id}@${frame}`);
    }
  }
  return { faceFrames, covered: faceFrames - missed.length, missed };
}

/**
 * For each true face, the tracks that follow it, in order: at every frame it is on screen apart from another face
 * (IoU < 0.3 with each: while two overlap, either track fits both), the track whose box between its first and last
 * keyframe overlaps it most (IoU ≥ 0.3), consecutive repeats folded. One id per face, and a different one per face: no switch.
 */
export function trackIdsPerFace(scene: Scene, tracks: readonly Track[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  const onScreen = (face: TrueFace, frame: number) => frame >= face.from && frame <= face.to;
  for (const face of scene.faces) {
    const sequence: string[] = [];
    for (let frame = face.from; frame <= face.to; frame++) {
      const box = face.boxAt(frame);
      if (scene.faces.some((other) => other !== face && onScreen(other, frame) && iou(other.boxAt(frame), box) >= 0.3)) continue;
      let best: { id: string; overlap: number } | undefined;
      for (const track of tracks) {
        // Padding aside: it holds a box where the track saw its face last, whoever comes there next.
        const followed = frame >= track.keyframes[0]!.frame && frame <= track.keyframes[track.keyframes.length - 1]!.frame;
        const at = followed ? trackBoxAt(track, frame) : null;
        const overlap = at ? iou(at, box) : 0;
        if (overlap >= 0.3 && (!best || overlap > best.overlap)) best = { id: track.id, overlap };
      }
      if (best && sequence[sequence.length - 1] !== best.id) sequence.push(best.id);
    }
    ids.set(face.id, sequence);
  }
  return ids;
}

/** Identity switches: changes of the following track within each face's sequence (trackIdsPerFace), summed. */
export function identitySwitches(scene: Scene, tracks: readonly Track[]): number {
  return [...trackIdsPerFace(scene, tracks).values()].reduce((sum, ids) => sum + Math.max(0, ids.length - 1), 0);
}
