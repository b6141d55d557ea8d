/**
 * `node bench/run.mjs videoTracker`: the face tracker (daemon/video/tracker.ts) on generated detection streams whose
 * truth is known by construction (test/support/videoTrackerScenes.ts), and the scene-cut rule on real pictures.
 *
 * - Speed: ms per frame of `push` with 5 and 30 faces a frame (next to detection's tens of ms a frame).
 * - Frame recall: of every frame each true face is on screen, those the proposed tracks cover after padding and
 *   interpolation (≥ 90% of the face inside the box grown by the commit's 0.25 margin), with the detector's boxes
 *   jittered (2% of the side per edge) and 10% of detections missed, on every frame and every third; identity
 *   switches (the track following a face changes) on the crossings.
 * - Keyframes a 300-frame panning track keeps, by tolerance and detector jitter (why DEFAULT_KEYFRAME_TOLERANCE), and
 *   YuNet's own jitter: its boxes on 720p frames of a slow pan over the selfpics and widerfull pictures, where each
 *   face's edges should stay put in picture coordinates (a lower bound: no pose change, motion blur or codec).
 * - Memory over a 10-minute stream: the heap with live tracks only, against the output's keyframes.
 * - Scene cuts: sceneDifference of consecutive frames made from wider-dev and selfpics pictures: cuts between two
 *   pictures, and pans, zooms and brightness steps within one (with codec-like noise); why SCENE_CUT_THRESHOLD.
 *
 * Usage: node out/bench/videoTracker.js [--seeds N]   → table + bench/results/videoTracker.{json,md}
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ModelRegistry } from '../daemon/models/registry';
import type { Face, Track } from '../daemon/protocol';
import { DEFAULT_MARGIN } from '../daemon/protocol';
import { iou } from '../daemon/review/merge';
import { grayThumbnail, sceneDifference, SCENE_CUT_THRESHOLD, type GrayThumbnail } from '../daemon/video/sceneCut';
import { DEFAULT_KEYFRAME_TOLERANCE, FaceTracker, type FrameDetections } from '../daemon/video/tracker';
import { trackBoxAt } from '../daemon/video/trackGeometry';
import { seededRandom, type Random } from '../test/support/seededRandom';
import { detectionsOf, frameRecall, identitySwitches, movingFace, trackIdsPerFace, VIDEO_720P, type DetectorModel, type Scene, type SceneVideo, type TrueFace } from '../test/support/videoTrackerScenes';
import { decodeSetImage, groundTruthImages, type FaceSetName } from './lib/faceSets';
import { createBenchDetector } from './lib/modes';
import { FACES, REPO, YUNET_FILE } from './lib/sharedData';

const THRESHOLD = 0.6;
const NOISE = 0.02;
const MISS_RATE = 0.1;
const seedsArg = process.argv.indexOf('--seeds');
const SEEDS = seedsArg > 0 ? Number(process.argv[seedsArg + 1]) : 10;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const square = (x: number, y: number, size: number) => ({ x, y, w: size, h: size * 1.2 });

function runTracker(scene: Scene, detections: FrameDetections[], stride: number, keyframeTolerance?: number): Track[] {
  const tracker = new FaceTracker({ video: scene.video, stride, threshold: THRESHOLD, keyframeTolerance });
  for (const frame of detections) tracker.push(frame);
  return tracker.finish();
}

// ---- Scenes ---------------------------------------------------------------------------------------

/** `count` faces on straight random paths, each on screen for 3–10 s of a clip of `frames`, sizes 40–140 px. */
function crowd(random: Random, count: number, video: SceneVideo): TrueFace[] {
  return Array.from({ length: count }, (_, i) => {
    const size = 40 + random.next() * 100;
    const length = Math.min(video.frames - 1, Math.round(video.fps * (3 + random.next() * 7)));
    const from = random.below(video.frames - length);
    const at = () => square(random.next() * (video.width - size), random.next() * (video.height - size * 1.2), size);
    return movingFace(`f${i}`, from, from + length, at(), at());
  });
}

interface NamedScene {
  name: string;
  scene: Scene;
  /** Frames a face is not detected (occluded by another), beyond the random misses. */
  hidden?: DetectorModel['hidden'];
  /** Faces in front: one passing behind them is detected as its narrowing visible side. */
  inFront?: DetectorModel['inFront'];
}

function scenes(random: Random): NamedScene[] {
  const video = VIDEO_720P;
  const a = movingFace('a', 0, 149, square(100, 300, 110), square(1050, 330, 110));
  const b = movingFace('b', 0, 149, square(1050, 310, 110), square(100, 280, 110));
  const overlapping = (frame: number) => Math.abs(a.boxAt(frame).x - b.boxAt(frame).x) < 90;
  return [
    { name: 'pan + zoom', scene: { video, faces: [movingFace('a', 0, 299, square(40, 300, 80), square(1100, 200, 150), (t) => t * t)], cuts: [] } },
    { name: 'crossing', scene: { video: { ...video, frames: 150 }, faces: [a, b], cuts: [] } },
    { name: 'crossing, one hidden', scene: { video: { ...video, frames: 150 }, faces: [a, b], cuts: [] }, hidden: (face, frame) => face.id === 'b' && overlapping(frame) },
    {
      name: 'occlusion 10 frames',
      scene: { video: { ...video, frames: 150 }, faces: [movingFace('a', 0, 149, square(100, 200, 120), square(900, 260, 120))], cuts: [] },
      hidden: (_, frame) => frame >= 60 && frame < 70,
    },
    {
      name: 'leave + enter',
      scene: { video: { ...video, frames: 150 }, faces: [movingFace('out', 0, 60, square(1000, 300, 100), square(1300, 300, 100)), movingFace('in', 64, 149, square(1250, 300, 100), square(800, 300, 100))], cuts: [] },
    },
    {
      name: 'scene cut',
      scene: { video: { ...video, frames: 200 }, faces: [movingFace('s1', 0, 99, square(500, 300, 100), square(560, 300, 100)), movingFace('s2', 100, 199, square(570, 300, 100), square(620, 300, 100))], cuts: [100] },
    },
    { name: 'crowd of 12 (random paths)', scene: { video: { ...video, frames: 600 }, faces: crowd(random, 12, { ...video, frames: 600 }), cuts: [] } },
    // Last, so that the scenes above draw the same random numbers as before it was added.
    {
      // The generated clip YuNet once split into three tracks (README "Video tracking"): 10 s at 25 fps, 7.4 px a frame apart.
      name: 'slow crossing, one behind',
      scene: { video: { ...video, fps: 25, frames: 250 }, faces: [movingFace('a', 0, 249, { x: 100, y: 260, w: 82, h: 105 }, { x: 1020, y: 270, w: 82, h: 105 }), movingFace('b', 0, 249, { x: 1020, y: 265, w: 73, h: 93 }, { x: 100, y: 260, w: 73, h: 93 })], cuts: [] },
      inFront: ['b'],
    },
  ];
}

interface RecallRow {
  scene: string;
  stride: number;
  faceFrames: number;
  covered: number;
  recall: number;
  switches: number;
  /** Tracks that followed two faces or more (one face gone, another taking its place within a second). */
  sharedTracks: number;
  tracksPerFace: number;
  keyframesPer100Frames: number;
  missedExamples: string[];
}

function recallRows(): RecallRow[] {
  const rows: RecallRow[] = [];
  for (const stride of [1, 3]) {
    const totals = new Map<string, RecallRow>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = seededRandom(1000 * stride + seed);
      for (const { name, scene, hidden, inFront } of scenes(random)) {
        const tracks = runTracker(scene, detectionsOf(scene, { stride, noise: NOISE, missRate: MISS_RATE, random, hidden, inFront }), stride);
        const recall = frameRecall(scene, tracks);
        const row = totals.get(name) ?? { scene: name, stride, faceFrames: 0, covered: 0, recall: 0, switches: 0, sharedTracks: 0, tracksPerFace: 0, keyframesPer100Frames: 0, missedExamples: [] };
        row.faceFrames += recall.faceFrames;
        row.covered += recall.covered;
        row.switches += identitySwitches(scene, tracks);
        const facesOfTrack = new Map<string, number>();
        for (const ids of trackIdsPerFace(scene, tracks).values()) for (const id of new Set(ids)) facesOfTrack.set(id, (facesOfTrack.get(id) ?? 0) + 1);
        row.sharedTracks += [...facesOfTrack.values()].filter((faces) => faces > 1).length;
        row.tracksPerFace += tracks.length / scene.faces.length / SEEDS;
        const trackFrames = tracks.reduce((sum, t) => sum + t.keyframes[t.keyframes.length - 1]!.frame - t.keyframes[0]!.frame + 1, 0);
        row.keyframesPer100Frames += (100 * tracks.reduce((sum, t) => sum + t.keyframes.length, 0)) / trackFrames / SEEDS;
        if (row.missedExamples.length < 5) row.missedExamples.push(...recall.missed.slice(0, 5 - row.missedExamples.length).map((m) => `seed ${seed}: ${m}`));
        totals.set(name, row);
      }
    }
    for (const row of totals.values()) rows.push({ ...row, recall: round((100 * row.covered) / row.faceFrames, 3), tracksPerFace: round(row.tracksPerFace), keyframesPer100Frames: round(row.keyframesPer100Frames, 1) });
  }
  return rows;
}

// ---- Speed and memory -----------------------------------------------------------------------------

interface SpeedRow {
  facesPerFrame: number;
  frames: number;
  msPerFrame: number;
  msPerFrameP99: number;
  finishMs: number;
}

function speedRow(facesPerFrame: number): SpeedRow {
  const random = seededRandom(77 + facesPerFrame);
  const video = { ...VIDEO_720P, frames: 1800 };
  // Faces on screen all the time: each lives the whole minute.
  const faces = Array.from({ length: facesPerFrame }, (_, i) => {
    const size = 40 + random.next() * 60;
    const at = () => square(random.next() * (video.width - size), random.next() * (video.height - size * 1.2), size);
    return movingFace(`f${i}`, 0, video.frames - 1, at(), at());
  });
  const scene: Scene = { video, faces, cuts: [] };
  const detections = detectionsOf(scene, { noise: NOISE, missRate: MISS_RATE, random });
  const times: number[] = [];
  let finishMs = 0;
  for (let roundIndex = 0; roundIndex < 3; roundIndex++) {
    const tracker = new FaceTracker({ video, stride: 1, threshold: THRESHOLD });
    for (const frame of detections) {
      const start = performance.now();
      tracker.push(frame);
      if (roundIndex > 0) times.push(performance.now() - start);
    }
    const start = performance.now();
    tracker.finish();
    finishMs = performance.now() - start;
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  return { facesPerFrame, frames: video.frames, msPerFrame: round(mean, 4), msPerFrameP99: round(times[Math.floor(times.length * 0.99)]!, 4), finishMs: round(finishMs, 1) };
}

interface MemoryRow {
  minute: number;
  heapMiB: number;
  liveFaces: number;
}

/** A 10-minute stream (5 faces at a time, each 5–15 s), the heap after a GC at each minute, and the output's size. */
function memoryOverTenMinutes(): { rows: MemoryRow[]; tracks: number; keyframes: number } {
  const random = seededRandom(10);
  const video = { ...VIDEO_720P, frames: 18_000 };
  const faces: TrueFace[] = [];
  for (let slot = 0; slot < 5; slot++) {
    for (let from = random.below(300); from < video.frames - 1; ) {
      const length = Math.min(video.frames - 1 - from, 150 + random.below(300));
      const size = 50 + random.next() * 80;
      const at = () => square(random.next() * (video.width - size), random.next() * (video.height - size * 1.2), size);
      faces.push(movingFace(`s${slot}-${from}`, from, from + length, at(), at()));
      from += length + 30 + random.below(60);
    }
  }
  const scene: Scene = { video, faces, cuts: [] };
  const gc = (globalThis as { gc?: () => void }).gc;
  const tracker = new FaceTracker({ video, stride: 1, threshold: THRESHOLD });
  const rows: MemoryRow[] = [];
  // Detections made frame by frame, as a reader would stream them (the stream itself is not held).
  for (let minute = 0; minute < 10; minute++) {
    const minuteScene: Scene = { ...scene, faces: scene.faces.filter((face) => face.to >= minute * 1800 && face.from < (minute + 1) * 1800) };
    for (const frame of detectionsOf(minuteScene, { noise: NOISE, missRate: MISS_RATE, random }).filter((d) => d.frame >= minute * 1800 && d.frame < (minute + 1) * 1800)) tracker.push(frame);
    gc?.();
    rows.push({ minute: minute + 1, heapMiB: round(process.memoryUsage().heapUsed / 2 ** 20, 1), liveFaces: minuteScene.faces.filter((face) => face.to >= (minute + 1) * 1800 - 1).length });
  }
  const tracks = tracker.finish();
  return { rows, tracks: tracks.length, keyframes: tracks.reduce((sum, t) => sum + t.keyframes.length, 0) };
}

// ---- Keyframes by tolerance -----------------------------------------------------------------------

interface KeyframeRow {
  noise: number;
  tolerance: number;
  keyframes: number;
  /** The worst edge error against the truth over the 300 frames, fraction of the side. */
  worstEdgeError: number;
  recall: number;
}

function keyframeRows(): KeyframeRow[] {
  const rows: KeyframeRow[] = [];
  const face = movingFace('pan', 0, 299, square(60, 260, 100), square(1080, 300, 130), (t) => (1 - Math.cos(Math.PI * t)) / 2);
  const scene: Scene = { video: VIDEO_720P, faces: [face], cuts: [] };
  for (const noise of [0, 0.01, 0.015, 0.02]) {
    for (const tolerance of [0.01, 0.02, 0.05, 0.08]) {
      let keyframes = 0;
      let worst = 0;
      let covered = 0;
      let faceFrames = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const tracks = runTracker(scene, detectionsOf(scene, { noise, random: seededRandom(seed) }), 1, tolerance);
        keyframes += tracks.reduce((sum, t) => sum + t.keyframes.length, 0) / SEEDS;
        for (let frame = 0; frame < 300; frame++) {
          const truth = face.boxAt(frame);
          const box = trackBoxAt(tracks[0]!, frame)!;
          worst = Math.max(worst, Math.abs(box.x - truth.x) / truth.w, Math.abs(box.x + box.w - truth.x - truth.w) / truth.w, Math.abs(box.y - truth.y) / truth.h, Math.abs(box.y + box.h - truth.y - truth.h) / truth.h);
        }
        const recall = frameRecall(scene, tracks);
        covered += recall.covered;
        faceFrames += recall.faceFrames;
      }
      rows.push({ noise, tolerance, keyframes: round(keyframes, 1), worstEdgeError: round(worst, 3), recall: round((100 * covered) / faceFrames, 2) });
    }
  }
  return rows;
}

// ---- YuNet's jitter on a pan ----------------------------------------------------------------------

interface JitterResult {
  pictures: number;
  faces: number;
  frames: number;
  /** Per face, the standard deviation of each edge across the frames (picture coordinates), fraction of its side: median and 90th percentile over faces. */
  medianJitter: number;
  p90Jitter: number;
}

/** Each picture panned 1 source pixel a frame over 12 frames at 1280×720; faces of 40 px and more followed by IoU. */
async function yunetJitter(): Promise<JitterResult> {
  const home = await mkdtemp(join(tmpdir(), 'veil-bench-home-'));
  try {
    const registry = new ModelRegistry({ home, manifestPath: join(REPO, 'models', 'manifest.json') });
    await registry.add({ file: YUNET_FILE, decoder: 'yunet' });
    const detector = await createBenchDetector('yunet', registry);
    const jitters: number[] = [];
    let pictures = 0;
    try {
      for (const set of ['selfpics', 'widerfull'] as FaceSetName[]) {
        for (const { file } of await groundTruthImages(FACES, set)) {
          const picture = await decodeSetImage(FACES, file);
          const w = Math.floor(Math.min(0.85 * picture.width, (0.85 * picture.height * 16) / 9));
          const h = Math.floor((w * 9) / 16);
          const scale = 1280 / w;
          const top = Math.floor((picture.height - h) / 2);
          const firstLeft = Math.floor((picture.width - w) / 2) - 6;
          // Faces per frame, in picture coordinates.
          const frames: Face[][] = [];
          for (let k = 0; k < 12; k++) {
            const left = firstLeft + k;
            const { data } = await sharp(picture.rgb, { raw: { width: picture.width, height: picture.height, channels: 3 } })
              .extract({ left, top, width: w, height: h })
              .resize(1280, 720, { fit: 'fill' })
              .raw()
              .toBuffer({ resolveWithObject: true });
            const faces = await detector.detect({ ...picture, rgb: data, width: 1280, height: 720 }, file, detector.defaultThreshold);
            frames.push(faces.map((f) => ({ x: f.x / scale + left, y: f.y / scale + top, w: f.w / scale, h: f.h / scale, score: f.score })));
          }
          pictures++;
          for (const face of frames[0]!.filter((f) => f.w * scale >= 40)) {
            const followed = frames.map((faces) => faces.find((other) => iou(other, face) >= 0.5));
            if (followed.some((f) => f === undefined)) continue;
            const edges = (f: Face) => [f.x, f.y, f.x + f.w, f.y + f.h];
            const perEdge = [0, 1, 2, 3].map((edge) => {
              const values = followed.map((f) => edges(f!)[edge]!);
              const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
              return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length) / (edge % 2 === 0 ? face.w : face.h);
            });
            jitters.push(perEdge.reduce((sum, v) => sum + v, 0) / 4);
          }
        }
      }
    } finally {
      await detector.dispose();
    }
    jitters.sort((a, b) => a - b);
    return { pictures, faces: jitters.length, frames: 12, medianJitter: round(jitters[Math.floor(jitters.length / 2)]!, 4), p90Jitter: round(jitters[Math.floor(jitters.length * 0.9)]!, 4) };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// ---- Scene cuts on pictures -----------------------------------------------------------------------

const FRAME_WIDTH = 320;
const FRAME_HEIGHT = 180;

interface Picture {
  rgb: Buffer;
  width: number;
  height: number;
}

/** A 320×180 frame of `picture`: the 16:9 window of 80% of its size, shifted by (dx, dy) of its width and scaled by `zoom`, with codec-like noise. */
async function frameOf(picture: Picture, random: Random, move: { dx?: number; dy?: number; zoom?: number; gain?: number; offset?: number } = {}): Promise<GrayThumbnail> {
  const baseWidth = Math.min(0.8 * picture.width, ((0.8 * picture.height) * 16) / 9);
  const w = Math.round(baseWidth * (move.zoom ?? 1));
  const h = Math.round((w * 9) / 16);
  const left = Math.round((picture.width - w) / 2 + (move.dx ?? 0) * picture.width);
  const top = Math.round((picture.height - h) / 2 + (move.dy ?? 0) * picture.width);
  const { data } = await sharp(picture.rgb, { raw: { width: picture.width, height: picture.height, channels: 3 } })
    .extract({ left: Math.max(0, left), top: Math.max(0, top), width: w, height: h })
    .resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gain = move.gain ?? 1;
  const offset = move.offset ?? 0;
  const frame = Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v * gain + offset + 3 * Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())))));
  return grayThumbnail(frame, FRAME_WIDTH, FRAME_HEIGHT);
}

const CHANGES: Array<{ name: string; move: Parameters<typeof frameOf>[2] }> = [
  { name: 'still (noise only)', move: {} },
  { name: 'pan 1% of the width', move: { dx: 0.01 } },
  { name: 'pan 2%', move: { dx: 0.02 } },
  { name: 'pan 4%', move: { dx: 0.04 } },
  { name: 'tilt 2%', move: { dy: 0.02 } },
  { name: 'zoom 3%', move: { zoom: 0.97 } },
  { name: 'brightness -15%', move: { gain: 0.85 } },
  { name: 'fade step (×0.8 + 10)', move: { gain: 0.8, offset: 10 } },
  { name: 'brighter, more contrast (×1.2 − 20)', move: { gain: 1.2, offset: -20 } },
];

interface CutRow {
  change: string;
  pairs: number;
  min: number;
  median: number;
  max: number;
  /** Pairs on the wrong side of SCENE_CUT_THRESHOLD. */
  wrong: number;
}

async function sceneCutRows(): Promise<{ rows: CutRow[]; thumbnailMs1080p: number }> {
  const random = seededRandom(2026);
  const files = [...(await groundTruthImages(FACES, 'wider-dev')), ...(await groundTruthImages(FACES, 'selfpics'))].map((image) => image.file);
  const pictures: Picture[] = [];
  for (const file of files) pictures.push(await decodeSetImage(FACES, file));
  const scores = new Map<string, number[]>(CHANGES.map((change) => [change.name, []]));
  const cuts: number[] = [];
  for (let i = 0; i < pictures.length; i++) {
    const base = await frameOf(pictures[i]!, random);
    for (const change of CHANGES) scores.get(change.name)!.push(sceneDifference(base, await frameOf(pictures[i]!, random, change.move)));
    cuts.push(sceneDifference(base, await frameOf(pictures[(i + 1) % pictures.length]!, random)));
  }
  const row = (change: string, values: number[], isCut: boolean): CutRow => {
    const sorted = [...values].sort((a, b) => a - b);
    return { change, pairs: values.length, min: round(sorted[0]!), median: round(sorted[Math.floor(sorted.length / 2)]!), max: round(sorted[sorted.length - 1]!), wrong: values.filter((v) => v > SCENE_CUT_THRESHOLD !== isCut).length };
  };
  const rows = [...CHANGES.map((change) => row(change.name, scores.get(change.name)!, false)), row('cut: the next picture', cuts, true)];
  const big = Uint8Array.from({ length: 1920 * 1080 * 3 }, () => random.below(256));
  const start = performance.now();
  for (let i = 0; i < 20; i++) grayThumbnail(big, 1920, 1080);
  return { rows, thumbnailMs1080p: round((performance.now() - start) / 20) };
}

// ---- Report ---------------------------------------------------------------------------------------

function markdown(results: { speed: SpeedRow[]; recall: RecallRow[]; keyframes: KeyframeRow[]; jitter: JitterResult; memory: ReturnType<typeof memoryOverTenMinutes>; cuts: Awaited<ReturnType<typeof sceneCutRows>> }): string {
  const lines = [
    `Video tracker (threshold ${THRESHOLD}, keyframe tolerance ${DEFAULT_KEYFRAME_TOLERANCE}, margin ${DEFAULT_MARGIN}; ${SEEDS} seeds; ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} CPUs)`,
    '',
    '**Speed** (`push`, a 1-minute 30 fps stream, jitter 2%, 10% missed)',
    '',
    '| faces a frame | ms a frame (mean) | p99 | finish (ms) |',
    '| --- | --- | --- | --- |',
    ...results.speed.map((r) => `| ${r.facesPerFrame} | ${r.msPerFrame} | ${r.msPerFrameP99} | ${r.finishMs} |`),
    '',
    `**Frame recall** (a face-frame is covered when ≥ 90% of the face lies in a proposed track's padded, interpolated box grown by ${DEFAULT_MARGIN}; detector jitter ${NOISE * 100}% of the side per edge, ${MISS_RATE * 100}% of detections missed)`,
    '',
    '| scene | stride | face-frames | covered | recall % | identity switches | tracks following 2+ faces | tracks per face | keyframes per 100 frames |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.recall.map((r) => `| ${r.scene} | ${r.stride} | ${r.faceFrames} | ${r.covered} | ${r.recall} | ${r.switches} | ${r.sharedTracks} | ${r.tracksPerFace} | ${r.keyframesPer100Frames} |`),
    '',
    '**Keyframes of a 300-frame panning track** (eased pan across the picture, 100→130 px; mean over seeds; worst edge error against the truth, fraction of the side)',
    '',
    '| detector jitter | tolerance | keyframes | worst edge error | recall % |',
    '| --- | --- | --- | --- | --- |',
    ...results.keyframes.map((r) => `| ${r.noise * 100}% | ${r.tolerance * 100}% | ${r.keyframes} | ${r.worstEdgeError} | ${r.recall} |`),
    '',
    `**YuNet's jitter** (${results.jitter.faces} faces of 40 px and more on ${results.jitter.pictures} selfpics and widerfull pictures panned 1 px a frame over ${results.jitter.frames} frames at 1280×720; each edge's standard deviation in picture coordinates, fraction of the side): median ${results.jitter.medianJitter}, 90th percentile ${results.jitter.p90Jitter}`,
    '',
    `**Memory over a 10-minute stream** (5 faces at a time, ${results.memory.tracks} tracks, ${results.memory.keyframes} output keyframes): heap after GC by minute: ${results.memory.rows.map((r) => `${r.minute}: ${r.heapMiB} MiB`).join(', ')}`,
    '',
    `**Scene cuts** (sceneDifference of consecutive 320×180 frames from ${results.cuts.rows[0]!.pairs} wider-dev and selfpics pictures, noise σ 3; threshold ${SCENE_CUT_THRESHOLD}; a 1080p thumbnail takes ${results.cuts.thumbnailMs1080p} ms)`,
    '',
    '| change | pairs | min | median | max | on the wrong side |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.cuts.rows.map((r) => `| ${r.change} | ${r.pairs} | ${r.min} | ${r.median} | ${r.max} | ${r.wrong} |`),
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const speed = [speedRow(5), speedRow(30)];
  const recall = recallRows();
  const keyframes = keyframeRows();
  const jitter = await yunetJitter();
  const memory = memoryOverTenMinutes();
  const cuts = await sceneCutRows();
  const report = markdown({ speed, recall, keyframes, jitter, memory, cuts });
  console.log(report);
  const outDir = join(REPO, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  const machine = { node: process.version, cpus: cpus().length };
  const settings = { threshold: THRESHOLD, noise: NOISE, missRate: MISS_RATE, seeds: SEEDS, keyframeTolerance: DEFAULT_KEYFRAME_TOLERANCE, sceneCutThreshold: SCENE_CUT_THRESHOLD, margin: DEFAULT_MARGIN };
  await writeFile(join(outDir, 'videoTracker.json'), JSON.stringify({ machine, settings, speed, recall, keyframes, yunetJitter: jitter, memory, sceneCuts: cuts }, null, 2) + '\n');
  await writeFile(join(outDir, 'videoTracker.md'), report);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
