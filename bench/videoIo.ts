/**
 * `node bench/run.mjs videoIo`: Veil's video input and output at 720p on this machine, the baseline the video
 * commit is measured against (issue #13: commit ≤ 1.5× a plain decode + re-encode with the same settings).
 *
 * - Decode: frames/s through daemon/video/frameReader.ts (ffmpeg → RGB over a pipe into this process).
 * - Encode: frames/s through daemon/video/frameWriter.ts (RGB over a pipe → libx264 `veryfast` CRF 18, MP4), fed
 *   from 50 decoded frames held in memory, cycled.
 * - Decode + re-encode of a 20 s clip: the reader straight into the writer, as a commit without redaction does.
 * - Seek: one frame read at 90 % of the long clip (what verify's sampling does), against decoding up to it.
 * - Memory: this process's RSS while a long clip (default 2 minutes, `--minutes N`) streams through decode and
 *   re-encode, sampled every 100 ms: flat, since no more than a frame or two is ever held.
 * The clips are camera-like: the astronaut photo panned across a 1280 × 720 frame with fresh noise in every frame
 * (flat synthetic pictures encode several times faster than real footage), made by ffmpeg before timing starts.
 * The machine is shared: each timing is the better of two runs.
 *
 * Usage: node out/bench/videoIo.js [--seconds 20] [--minutes 2]   → table + bench/results/videoIo.{json,md}
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoInfo } from '../daemon/protocol';
import { probeVideo } from '../daemon/video/probe';
import { readFrames } from '../daemon/video/frameReader';
import { openFrameWriter } from '../daemon/video/frameWriter';
import { H264_ARGS } from '../daemon/video/outputContainers';
import { startTool } from '../daemon/video/toolProcess';
import { REPO } from './lib/sharedData';
import { peakRssMiB, rssMiB } from './lib/speed';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const SECONDS = argument('--seconds', 20);
const MINUTES = argument('--minutes', 2);
const FPS = 25;
const ENCODE_FRAMES = 500;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A camera-like 720p clip of `seconds`: the astronaut panned, with temporal noise, encoded like an original. */
async function cameraClip(path: string, seconds: number): Promise<void> {
  const filter = `scale=1280:-2,crop=1280:720:0:(ih-720)*t/${seconds},noise=alls=6:allf=t,format=yuv420p`;
  const args = ['-v', 'error', '-y', '-loop', '1', '-framerate', String(FPS), '-i', join(REPO, 'test', 'fixtures', 'astronaut.png'), '-vf', filter, '-t', String(seconds), ...H264_ARGS, `file:${path}`];
  const run = await startTool('ffmpeg', args);
  const exit = await run.exited;
  if (exit.code !== 0) throw new Error(`making the clip failed: ${exit.stderr}`);
}

async function bestOf<T extends { seconds: number }>(runs: number, measure: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < runs; i++) {
    const result = await measure();
    if (!best || result.seconds < best.seconds) best = result;
  }
  return best!;
}

async function decode(path: string, info: VideoInfo) {
  const start = performance.now();
  let frames = 0;
  for await (const frame of readFrames(path, info)) frames = frame.index + 1;
  const seconds = (performance.now() - start) / 1000;
  return { frames, seconds, fps: frames / seconds };
}

async function encode(dir: string, info: VideoInfo, held: Buffer[]) {
  const start = performance.now();
  const writer = await openFrameWriter(join(dir, 'encoded.mp4'), info);
  for (let i = 0; i < ENCODE_FRAMES; i++) await writer.write(held[i % held.length]!);
  await writer.finish();
  const seconds = (performance.now() - start) / 1000;
  return { frames: ENCODE_FRAMES, seconds, fps: ENCODE_FRAMES / seconds };
}

/** The reader into the writer; `onFrame` hears every frame (the RSS sampler's clock). */
async function reencode(path: string, info: VideoInfo, out: string, onFrame?: (index: number) => void) {
  const start = performance.now();
  const writer = await openFrameWriter(out, info);
  for await (const frame of readFrames(path, info)) {
    await writer.write(frame.rgb);
    onFrame?.(frame.index);
  }
  await writer.finish();
  const seconds = (performance.now() - start) / 1000;
  return { frames: info.frames, seconds, fps: info.frames / seconds, realTime: info.durationS / seconds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'veil-bench-videoio-'));
  try {
    const clip = join(dir, 'clip.mp4');
    const long = join(dir, 'long.mp4');
    let made = performance.now();
    await cameraClip(clip, SECONDS);
    const clipSeconds = (performance.now() - made) / 1000;
    made = performance.now();
    await cameraClip(long, MINUTES * 60);
    const longSeconds = (performance.now() - made) / 1000;
    const info = await probeVideo(clip);
    const longInfo = await probeVideo(long);

    const decoded = await bestOf(2, () => decode(clip, info));
    const held: Buffer[] = [];
    for await (const frame of readFrames(clip, info, { to: 50 })) held.push(frame.rgb);
    const encoded = await bestOf(2, () => encode(dir, info, held));
    held.length = 0;
    const both = await bestOf(2, () => reencode(clip, info, join(dir, 'reencoded.mp4')));

    // A read of one frame at 90 % of the long clip: the input seek decodes from the keyframe before it, not from 0.
    const seekFrame = Math.floor(longInfo.frames * 0.9);
    const seek = await bestOf(2, async () => {
      const start = performance.now();
      for await (const frame of readFrames(long, longInfo, { from: seekFrame, to: seekFrame + 1 })) if (frame.index !== seekFrame) throw new Error('wrong frame');
      return { seconds: (performance.now() - start) / 1000 };
    });

    // RSS along the long clip: after the first 10 % (pipes and buffers warmed up), the peak after that, the end.
    (globalThis as { gc?: () => void }).gc?.();
    const samples: Array<{ frame: number; rssMiB: number }> = [];
    let frameNow = 0;
    const sampler = setInterval(() => samples.push({ frame: frameNow, rssMiB: rssMiB() }), 100);
    const streamed = await reencode(long, longInfo, join(dir, 'long-out.mp4'), (index) => (frameNow = index));
    clearInterval(sampler);
    const warm = samples.filter((s) => s.frame >= longInfo.frames * 0.1);
    const memory = {
      frames: longInfo.frames,
      seconds: round(streamed.seconds),
      rssAfterWarmUpMiB: round(warm[0]?.rssMiB ?? 0),
      rssPeakAfterWarmUpMiB: round(Math.max(...warm.map((s) => s.rssMiB))),
      rssAtEndMiB: round(warm.at(-1)?.rssMiB ?? 0),
      processPeakRssMiB: round(peakRssMiB()),
      frameMiB: round((1280 * 720 * 3) / 2 ** 20, 2),
    };

    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
      clip: { width: info.width, height: info.height, fps: info.fps, frames: info.frames, seconds: info.durationS, madeInSeconds: round(clipSeconds) },
      encoder: H264_ARGS.join(' '),
      decode: { fps: round(decoded.fps), seconds: round(decoded.seconds, 2) },
      encode: { fps: round(encoded.fps), seconds: round(encoded.seconds, 2), frames: ENCODE_FRAMES },
      seekOneFrame: { frame: seekFrame, of: longInfo.frames, ms: Math.round(seek.seconds * 1000), fullDecodeWouldTakeS: round(longInfo.frames / decoded.fps) },
      decodeAndReencode: { seconds: round(both.seconds, 2), fps: round(both.fps), timesRealTime: round(both.realTime, 2) },
      memory: { ...memory, longClipMinutes: MINUTES, longClipMadeInSeconds: round(longSeconds) },
    };
    const table = [
      `| 720p, ${cpus().length} cores | value |`,
      '|---|---|',
      `| decode (reader → RGB in this process) | ${result.decode.fps} fps |`,
      `| encode (RGB → writer: libx264 veryfast CRF 18) | ${result.encode.fps} fps |`,
      `| decode + re-encode, ${SECONDS} s clip (${info.frames} frames) | ${result.decodeAndReencode.seconds} s (${result.decodeAndReencode.fps} fps, ${result.decodeAndReencode.timesRealTime}× real time) |`,
      `| one frame read at 90 % of the ${MINUTES} min clip (frame ${seekFrame}, input seek) | ${result.seekOneFrame.ms} ms (a decode from the start: ${result.seekOneFrame.fullDecodeWouldTakeS} s) |`,
      `| RSS streaming ${MINUTES} min (${longInfo.frames} frames): after 10 % / peak after / at end | ${memory.rssAfterWarmUpMiB} / ${memory.rssPeakAfterWarmUpMiB} / ${memory.rssAtEndMiB} MiB (one frame: ${memory.frameMiB} MiB) |`,
    ].join('\n');
    console.log(table);
    const out = join(REPO, 'bench', 'results');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'videoIo.json'), JSON.stringify(result, null, 1) + '\n');
    await writeFile(join(out, 'videoIo.md'), table + '\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
