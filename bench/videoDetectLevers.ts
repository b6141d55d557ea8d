/**
 * `node bench/run.mjs videoDetectLevers`: what each lever of the embedded BlazeFace's video path (DetectRequest.video,
 * daemon/detection/blazeFaceDetector.ts) buys in speed and costs in frame recall, at 720p, the detector on every
 * second frame (the default stride), on generated clips whose truth is known (test/support/syntheticClips.ts).
 *
 * Levers, each row adding one to the one above except the last: the still-image path (two views, the pyramid up to
 * 1.6× at 720p, 88 tiles); one view; the pyramid up to VIDEO_MAX_SCALE (0.8 at 720p: 22 tiles); the fine levels only
 * around the tracks' predicted boxes between full passes (detectVideo.ts: the product's video mode); and instead a
 * whole frame at a lower resolution (the pyramid up to 0.4: faces from 40 px). Recall by the tracker bench's rule
 * (test/support/videoTrackerScenes.ts: ≥ 90 % of the face inside a proposed track's box grown by the commit margin).
 * The two slow rows run on three clips only (a minute a clip).
 *
 * Usage: node out/bench/videoDetectLevers.js [--fast-only]   → table + bench/results/videoDetectLevers.{json,md}
 * (`--fast-only` leaves out the two slow rows: about 5 minutes instead of 20)
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlazeFaceDetector, NATIVE_RESOLUTION, VIDEO_MAX_SCALE, type BlazeFaceOptions } from '../daemon/detection/blazeFaceDetector';
import { openSession } from '../daemon/detection/session';
import { ModelRegistry } from '../daemon/models/registry';
import { detectionFloor } from '../daemon/review/possibleFaces';
import { DEFAULT_VIDEO_STRIDE, detectVideoTracks } from '../daemon/video/detectVideo';
import { probeVideo } from '../daemon/video/probe';
import { clipScene, makeClip } from '../test/support/syntheticClips';
import { frameRecall, identitySwitches } from '../test/support/videoTrackerScenes';
import { RECALL_CLIPS, SMALL_FACE_CLIPS } from '../test/support/videoRecallClips';
import { REPO } from './lib/sharedData';
import { writeResults } from './lib/results';

const FPS = 25;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

interface Lever {
  name: string;
  options: BlazeFaceOptions;
  aroundTracks: boolean;
  /** Clip names to run on (all when absent). */
  clips?: string[];
}

const SLOW = ['crossing', 'small faces', 'tiny faces'];
const CLIPS = [...RECALL_CLIPS, ...SMALL_FACE_CLIPS];
const LEVERS: Lever[] = [
  { name: 'still-image path (2 views, up to 1.6×)', options: { videoMirroredView: true, videoMaxScale: NATIVE_RESOLUTION }, aroundTracks: false, clips: SLOW },
  { name: 'one view', options: { videoMaxScale: NATIVE_RESOLUTION }, aroundTracks: false, clips: SLOW },
  { name: `one view, up to 0.8× (VIDEO_MAX_SCALE ${round(VIDEO_MAX_SCALE, 2)}: faces ≥ 24 px)`, options: {}, aroundTracks: false },
  { name: '+ fine levels around the tracks (video mode)', options: {}, aroundTracks: true },
  { name: 'one view, whole frame up to 0.4× (faces ≥ 40 px)', options: { videoMaxScale: 1 / 3 }, aroundTracks: false },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'veil-bench-levers-'));
  const registry = new ModelRegistry({ home: join(dir, 'home'), manifestPath: join(REPO, 'models', 'manifest.json') });
  const model = (await registry.list()).find((info) => info.decoder === 'blazeface');
  if (!model) throw new Error('no embedded BlazeFace model in the registry');
  const bytes = await readFile(model.path);
  const rows: Array<Record<string, unknown>> = [];
  try {
    const clips = [];
    for (const { name, spec } of CLIPS) {
      const clip = await makeClip({ ...spec, name: name.replace(' ', '-') }, dir);
      clips.push({ name, clip, info: await probeVideo(clip.path) });
    }
    // The fast rows first (the slow ones take minutes); the table keeps LEVERS' order.
    const levers = process.argv.includes('--fast-only') ? LEVERS.filter((lever) => !lever.clips) : LEVERS;
    for (const lever of [...levers].reverse()) {
      const detector = new BlazeFaceDetector(model, await openSession(bytes), lever.options);
      const threshold = detector.defaultThreshold;
      let frames = 0;
      let seconds = 0;
      const perClip: Array<Record<string, unknown>> = [];
      for (const { name, clip, info } of clips.filter((c) => !lever.clips || lever.clips.includes(c.name))) {
        const start = performance.now();
        const { tracks, detectedFrames } = await detectVideoTracks(clip.path, info, { detector, threshold, floor: detectionFloor(threshold), thorough: false, stride: DEFAULT_VIDEO_STRIDE, aroundTracks: lever.aroundTracks });
        seconds += (performance.now() - start) / 1000;
        frames += info.frames;
        const scene = clipScene(clip);
        const measured = frameRecall(scene, tracks);
        perClip.push({ clip: name, detectedFrames, faceFrames: measured.faceFrames, covered: measured.covered, switches: identitySwitches(scene, tracks), tracks: tracks.filter((t) => t.state === 'proposed').length, missed: measured.missed.slice(0, 5) });
      }
      await detector.dispose();
      const row = { lever: lever.name, framesPerSecond: round(frames / seconds), detectionsPerSecond: round(frames / DEFAULT_VIDEO_STRIDE / seconds), clips: perClip };
      rows.unshift(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const lines = [`# Embedded BlazeFace on video, 720p, every ${DEFAULT_VIDEO_STRIDE}nd frame (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'})`, ''];
  lines.push(`| lever | video frames/s | detections/s | ${CLIPS.map((c) => `${c.name}: covered / face-frames, switches, tracks`).join(' | ')} |`);
  lines.push(`|---|---|---|${CLIPS.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const cells = CLIPS.map(({ name }) => {
      const clip = (row.clips as Array<Record<string, unknown>>).find((c) => c.clip === name);
      return clip ? `${String(clip.covered)} / ${String(clip.faceFrames)}, ${String(clip.switches)}, ${String(clip.tracks)}` : '–';
    });
    lines.push(`| ${String(row.lever)} | ${String(row.framesPerSecond)} | ${String(row.detectionsPerSecond)} | ${cells.join(' | ')} |`);
  }
  const table = lines.join('\n');
  console.log(table);
  writeResults('videoDetectLevers', { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, fps: FPS, stride: DEFAULT_VIDEO_STRIDE, rows }, table);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
