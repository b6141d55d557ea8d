/**
 * `node bench/run.mjs videoPipeline`: a video through Veil's own pipeline at 720p on this machine, on generated clips
 * whose truth is known by construction (test/support/syntheticClips.ts: the astronaut's face moved over a background).
 *
 * - Detection + tracking, frames of video per second of wall time (daemon/video/detectVideo.ts): YuNet and the
 *   embedded BlazeFace, the detector on every frame and on every second (the default stride).
 * - Frame recall with YuNet (the bar: 100 % of the face-frames covered after padding and interpolation, by
 *   test/support/videoTrackerScenes.ts's rule: ≥ 90 % of the face inside a proposed track's box grown by the commit
 *   margin) and identity switches on the crossing (bar: none), on three clips: two faces crossing, a face hidden by
 *   a bar for 10 frames, a scene cut with the face jumping.
 * - Commit: redactVideo (decode, paint, encode, verify) against a plain decode + re-encode of the same clip with the
 *   same encoder settings, in the same run (the bar: ≤ 1.5×); the process's peak RSS after each, and with `--long`
 *   the RSS sampled along a 10-minute clip's commit (flat: the video is streamed, never held).
 *
 * Usage: node out/bench/videoPipeline.js [--seconds 20] [--long]   → table + bench/results/videoPipeline.{json,md}
 */
import { rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { ModelRegistry } from '../daemon/models/registry';
import type { Detector } from '../daemon/detection/detector';
import type { Track, VideoInfo } from '../daemon/protocol';
import { PhaseTimes } from '../daemon/core/phaseTimes';
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN } from '../daemon/protocol';
import { detectionFloor } from '../daemon/review/possibleFaces';
import { detectVideoTracks, DEFAULT_VIDEO_STRIDE } from '../daemon/video/detectVideo';
import { readFrames } from '../daemon/video/frameReader';
import { openFrameWriter } from '../daemon/video/frameWriter';
import { outputContainerFor } from '../daemon/video/outputContainers';
import { probeVideo } from '../daemon/video/probe';
import { redactVideo } from '../daemon/video/redactVideo';
import { clipScene, makeClip, type SyntheticClip } from '../test/support/syntheticClips';
import { RECALL_CLIPS } from '../test/support/videoRecallClips';
import { frameRecall, identitySwitches } from '../test/support/videoTrackerScenes';
import { REPO, YUNET_FILE } from './lib/sharedData';
import { peakRssMiB, rssMiB } from './lib/speed';
import { writeResults } from './lib/results';

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const SECONDS = Number(argument('--seconds') ?? 20);
const LONG = process.argv.includes('--long');
const FPS = 25;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

const HD = { width: 1280, height: 720, fps: FPS };

async function detect(detector: Detector, clip: SyntheticClip, info: VideoInfo, stride: number): Promise<{ tracks: Track[]; fps: number }> {
  const threshold = detector.defaultThreshold;
  const start = performance.now();
  const { tracks } = await detectVideoTracks(clip.path, info, { detector, threshold, floor: detectionFloor(threshold), thorough: false, stride });
  return { tracks, fps: info.frames / ((performance.now() - start) / 1000) };
}

/** Plain decode + re-encode with the commit's encoder settings: the baseline of the commit bar. */
async function plainReencode(source: string, dest: string, info: VideoInfo): Promise<number> {
  const start = performance.now();
  const writer = await openFrameWriter(dest, info, { container: outputContainerFor(source) });
  for await (const frame of readFrames(source, info)) await writer.write(frame.rgb);
  await writer.finish();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'veil-bench-video-'));
  const registry = new ModelRegistry({ home: join(dir, 'home'), manifestPath: join(REPO, 'models', 'manifest.json') });
  await registry.add({ file: YUNET_FILE, decoder: 'yunet' });
  const detectors: Record<string, Detector> = { yunet: await registry.load('yunet'), blazeface: await registry.load('blazeface') };
  const result: Record<string, unknown> = { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, fps: FPS };
  try {
    // 1. Detection + tracking speed on a clip of SECONDS with two faces crossing.
    const speedClip = await makeClip({ ...HD, frames: SECONDS * FPS, faces: RECALL_CLIPS[0]!.spec.faces.map((face) => ({ keys: face.keys.map((key) => ({ ...key, frame: Math.round((key.frame * (SECONDS * FPS - 1)) / 99) })) })), name: 'speed' }, dir);
    const speedInfo = await probeVideo(speedClip.path);
    const speed: Array<Record<string, unknown>> = [];
    for (const [model, detector] of Object.entries(detectors)) {
      // BlazeFace's pyramid takes seconds a 720p frame on 2 cores: its every-frame run is left out (it took 20 min for 10 s).
      for (const stride of model === 'blazeface' ? [DEFAULT_VIDEO_STRIDE] : [1, DEFAULT_VIDEO_STRIDE]) {
        const { fps, tracks } = await detect(detector, speedClip, speedInfo, stride);
        speed.push({ model, stride, framesPerSecond: round(fps), realTime: round(fps / FPS, 2), tracks: tracks.filter((t) => t.state === 'proposed').length });
      }
    }
    result.speed = speed;

    // 2. Frame recall and identity switches with YuNet at the default stride.
    const recall: Array<Record<string, unknown>> = [];
    for (const { name, spec } of RECALL_CLIPS) {
      const clip = await makeClip({ ...spec, name: name.replace(' ', '-') }, dir);
      const info = await probeVideo(clip.path);
      for (const stride of [1, DEFAULT_VIDEO_STRIDE, 3]) {
        const { tracks } = await detect(detectors.yunet!, clip, info, stride);
        const scene = clipScene(clip);
        const measured = frameRecall(scene, tracks);
        recall.push({ clip: name, stride, faceFrames: measured.faceFrames, covered: measured.covered, recall: round((measured.covered / measured.faceFrames) * 100, 2), switches: identitySwitches(scene, tracks), tracks: tracks.filter((t) => t.state === 'proposed').length, missed: measured.missed.slice(0, 5) });
      }
    }
    result.recall = recall;

    // 3. Commit (redact + encode + verify) against a plain decode + re-encode, in the same run, alternating.
    const { tracks } = await detect(detectors.yunet!, speedClip, speedInfo, DEFAULT_VIDEO_STRIDE);
    const commit: Array<Record<string, number>> = [];
    for (let round_ = 0; round_ < 2; round_++) {
      const plainMs = await plainReencode(speedClip.path, join(dir, `plain-${round_}.mp4`), speedInfo);
      const start = performance.now();
      await redactVideo(speedClip.path, join(dir, `redacted-${round_}.mp4`), 'speed.mp4', speedInfo, tracks, { mode: 'fill', margin: DEFAULT_MARGIN, doubtMargin: DEFAULT_DOUBT_MARGIN, shape: 'rect', keepAudio: false }, new PhaseTimes());
      const commitMs = performance.now() - start;
      commit.push({ plainS: round(plainMs / 1000, 2), commitS: round(commitMs / 1000, 2), ratio: round(commitMs / plainMs, 2), peakRssMiB: round(peakRssMiB()) });
    }
    result.commit = commit;

    // 4. With --long: RSS along the commit of a 10-minute clip (flat memory).
    if (LONG) {
      const long = await makeClip({ ...HD, frames: 600 * FPS, faces: [{ keys: [{ frame: 0, x: 100, y: 200, scale: 0.7 }, { frame: 600 * FPS - 1, x: 900, y: 300, scale: 0.7 }] }], name: 'long' }, dir);
      const info = await probeVideo(long.path);
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(round(rssMiB())), 10_000);
      const start = performance.now();
      const longTracks = (await detect(detectors.yunet!, long, info, 5)).tracks;
      await redactVideo(long.path, join(dir, 'long-out.mp4'), 'long.mp4', info, longTracks, { mode: 'fill', margin: DEFAULT_MARGIN, doubtMargin: DEFAULT_DOUBT_MARGIN, shape: 'rect', keepAudio: false }, new PhaseTimes());
      clearInterval(sampler);
      result.long = { minutes: 10, seconds: round((performance.now() - start) / 1000), rssMiBEvery10s: samples, peakRssMiB: round(peakRssMiB()) };
    }
  } finally {
    await Promise.all(Object.values(detectors).map((detector) => detector.dispose()));
    await rm(dir, { recursive: true, force: true });
  }
  await report(result);
}

async function report(result: Record<string, unknown>): Promise<void> {
  const lines = [`# Video pipeline at 720p (${String(result.machine)}, ${SECONDS} s clip at ${FPS} fps)`, ''];
  lines.push('| model | stride | frames/s | × real time | tracks |', '|---|---|---|---|---|');
  for (const row of result.speed as Array<Record<string, unknown>>) lines.push(`| ${row.model} | ${row.stride} | ${row.framesPerSecond} | ${row.realTime} | ${row.tracks} |`);
  lines.push('', '| clip (YuNet) | stride | face-frames | covered | recall % | switches | tracks |', '|---|---|---|---|---|---|---|');
  for (const row of result.recall as Array<Record<string, unknown>>) lines.push(`| ${row.clip} | ${row.stride} | ${row.faceFrames} | ${row.covered} | ${row.recall} | ${row.switches} | ${row.tracks} |`);
  lines.push('', '| round | plain decode + re-encode s | commit (redact + encode + verify) s | ratio | peak RSS MiB |', '|---|---|---|---|---|');
  (result.commit as Array<Record<string, number>>).forEach((row, i) => lines.push(`| ${i + 1} | ${row.plainS} | ${row.commitS} | ${row.ratio} | ${row.peakRssMiB} |`));
  if (result.long) lines.push('', `10-minute clip: detect (YuNet, stride 5) + commit ${JSON.stringify(result.long)}`);
  const table = lines.join('\n');
  console.log(table);
  writeResults(LONG ? 'videoPipeline-long' : 'videoPipeline', result, table);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
