/**
 * Scrubbing a long video in the review webview (headless Chromium, built bundle, the playable copy served from
 * loopback with byte ranges, as VS Code's resource loader serves it):
 * - the playable copy: a synthetic 10-minute video (lavfi testsrc2, 30 fps: moving shapes and a clock, about 14 MB
 *   a minute at 540 p, near real footage's) made into its review copy by the daemon's own encoder
 *   (daemon/video/reviewProxy.ts: 960 × 540, a keyframe every 8 frames). A 1080p source's copy is this size too, so
 *   the source is made at 540 p: only the copy is scrubbed, and a 1080p source would only make the set-up slower.
 *   Both files are kept in the temp folder and reused (the time to make them is reported when they are made).
 * - seek: a click on the timeline at a random frame (seeded) → that frame decoded, its boxes drawn, the next frame
 *   painted; median and p95 of 100
 * - drag: the playhead dragged across the whole timeline; animation-frame times during the drag, and how many
 *   distinct video frames were shown per second
 * - play: 3 s of playback with 30 tracks' boxes and the redaction preview drawn at every frame; frame times, and the
 *   video frames the element dropped
 * Usage: node scripts/build.mjs && node out/bench/videoScrub.js [--minutes=10]   → table + bench/results/videoScrub.json
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ImageRecord, Track, VideoInfo } from '../daemon/protocol';
import { videoToolPath } from '../daemon/video/ffmpegBinaries';
import { probeVideo } from '../daemon/video/probe';
import { encodeReviewProxy, proxySize, PROXY_KEYFRAME_INTERVAL } from '../daemon/video/reviewProxy';
import { ImageShow, VideoProxy } from '../webview/protocol';
import { seededRandom } from '../test/support/seededRandom';
import { launchBrowser, WebviewPage, WebviewServer } from '../test/support/webviewHarness';

/** This file runs as out/bench/videoScrub.js. */
const REPO = resolve(__dirname, '..', '..');
const MINUTES = Number(process.argv.find((arg) => arg.startsWith('--minutes='))?.slice('--minutes='.length) ?? 10);
const FPS = 30;
const SEEKS = 100;
const DRAG_STEPS = 240;
const TRACKS = 30;
const PLAY_MS = 3000;
const BARS = { seekMedianMs: 100, seekP95Ms: 250, frameP95Ms: 50 };
const FILE = 'long.mp4';
/** The video the copy stands for: 1080p (its boxes are in its pixels; the copy is drawn at its size). */
const SOURCE_SIZE = { width: 1920, height: 1080 };

const round = (value: number) => Math.round(value * 10) / 10;
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The synthetic source and its review copy, made once per length and kept in the temp folder. */
async function playableCopy(): Promise<{ path: string; info: VideoInfo; madeS?: { source: number; copy: number } }> {
  const dir = join(tmpdir(), 'veil-bench-videoScrub');
  mkdirSync(dir, { recursive: true });
  const source = join(dir, `source-${MINUTES}min.mp4`);
  const copy = join(dir, `copy-${MINUTES}min-k${PROXY_KEYFRAME_INTERVAL}.mp4`);
  let madeS: { source: number; copy: number } | undefined;
  if (!existsSync(copy)) {
    const size = proxySize(SOURCE_SIZE);
    let started = Date.now();
    if (!existsSync(source)) {
      const ffmpeg = await videoToolPath('ffmpeg');
      const partial = `${source}.partial.mp4`;
      await promisify(execFile)(ffmpeg, [
        ...['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size.width}x${size.height}:rate=${FPS}:duration=${MINUTES * 60}`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16', '-pix_fmt', 'yuv420p', '-an', partial],
      ]);
      renameSync(partial, source);
    }
    const sourceS = (Date.now() - started) / 1000;
    started = Date.now();
    const partial = `${copy}.partial.mp4`;
    await encodeReviewProxy(source, await probeVideo(source), partial);
    renameSync(partial, copy);
    madeS = { source: sourceS, copy: (Date.now() - started) / 1000 };
  }
  const probed = await probeVideo(copy);
  return { path: copy, info: { ...probed, ...SOURCE_SIZE }, madeS };
}

/** Tracks as the tracker leaves them: a keyframe every 8 frames, each track a few seconds to a minute long. */
function syntheticTracks(info: VideoInfo): Track[] {
  const random = seededRandom(7);
  return Array.from({ length: TRACKS }, (_, index) => {
    const length = FPS * (3 + random.below(60));
    const first = random.below(Math.max(1, info.frames - length));
    const x = random.below(info.width - 200);
    const y = random.below(info.height - 200);
    const keyframes = [];
    for (let frame = first; frame < first + length; frame += 8) {
      keyframes.push({ frame, x: x + ((frame - first) % 300) / 3, y, w: 120, h: 150, score: 0.5 + random.next() / 2 });
    }
    return { id: `t${index}`, source: 'model' as const, state: index % 3 === 0 ? ('accepted' as const) : ('proposed' as const), score: 0.8, keyframes, padBefore: 8, padAfter: 8, edited: false };
  });
}

/**
 * In the page: arms the timing of the next press on the timeline, until its frame is shown (decoded, boxes drawn,
 * next frame painted); `window.__seekShown` resolves to it. Armed before the press is sent: a press racing the
 * script that listens for it would go unheard.
 */
function armSeekTiming(): void {
  const stage = document.getElementById('stage')!;
  const video = document.getElementById('video')!;
  let started = 0;
  (window as unknown as { __seekShown: Promise<number> }).__seekShown = new Promise((resolve) => {
    document.getElementById('timeline-body')!.addEventListener('pointerdown', () => (started = performance.now()), { capture: true, once: true });
    const check = () => {
      if (started === 0 || video.dataset.seeking !== undefined) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - started));
    };
    const observer = new MutationObserver(check);
    observer.observe(stage, { attributes: true, attributeFilter: ['data-frame'] });
    observer.observe(video, { attributes: true, attributeFilter: ['data-seeking'] });
  });
}

interface Recording {
  frames: number[];
  shown: number;
  durationMs: number;
}

/** In the page: records animation-frame times and the video frames shown until `stop()` (window.__stopRecording). */
function startRecording(): void {
  const stage = document.getElementById('stage')!;
  const frames: number[] = [];
  const shown = new Set<string>();
  const started = performance.now();
  let last = started;
  let running = true;
  const observer = new MutationObserver(() => shown.add(stage.dataset.frame!));
  observer.observe(stage, { attributes: true, attributeFilter: ['data-frame'] });
  const tick = (now: number) => {
    frames.push(now - last);
    last = now;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  (window as unknown as { __stopRecording: () => Recording }).__stopRecording = () => {
    running = false;
    observer.disconnect();
    return { frames: frames.slice(1), shown: shown.size, durationMs: performance.now() - started };
  };
}

async function main(): Promise<void> {
  const made = await playableCopy();
  const { info } = made;
  const server = new WebviewServer((path) => (path === `/videos/${FILE}` ? made.path : undefined), join(REPO, 'dist'));
  const browser = await launchBrowser();
  try {
    await server.start();
    const record: ImageRecord = { file: FILE, width: info.width, height: info.height, boxes: [], status: 'unreviewed', video: info, tracks: syntheticTracks(info) };
    const webview = await WebviewPage.open(browser, server, { theme: 'dark' });
    const page = webview.page;
    await webview.load({ root: '/bench', entries: [{ file: FILE, imageUri: null, version: '1', width: info.width, height: info.height }], records: [record], settings: { mode: 'pixelate', margin: 0.25, doubtMargin: 1, shape: 'rect' } });
    await webview.post(ImageShow.create({ file: FILE }));
    await webview.waitForMessage('video/proxyRequest');
    const copySize = proxySize(info);
    const openStarted = Date.now();
    await webview.post(VideoProxy.create({ file: FILE, uri: `${server.origin}/videos/${FILE}`, ...copySize, fps: info.fps, frames: info.frames }));
    await webview.waitForImage(FILE);
    const openMs = Date.now() - openStarted;

    const ruler = (await page.locator('#timeline-ruler').boundingBox())!;
    const xOf = (frame: number) => ruler.x + ((frame + 0.5) / info.frames) * ruler.width;
    const y = ruler.y + ruler.height / 2;

    const random = seededRandom(42);
    const seeks: number[] = [];
    for (let index = 0; index < SEEKS; index++) {
      const target = random.below(info.frames);
      await page.evaluate(armSeekTiming);
      await page.mouse.click(xOf(target), y);
      seeks.push(await page.evaluate(() => (window as unknown as { __seekShown: Promise<number> }).__seekShown));
    }

    await page.mouse.move(xOf(0), y);
    await page.mouse.down();
    await page.evaluate(startRecording);
    for (let step = 1; step <= DRAG_STEPS; step++) await page.mouse.move(xOf((step / DRAG_STEPS) * (info.frames - 1)), y);
    const drag = await page.evaluate(() => (window as unknown as { __stopRecording: () => Recording }).__stopRecording());
    await page.mouse.up();

    // Playback from the middle, the redaction preview on (P) and every track's box drawn at each frame.
    await page.mouse.click(xOf(info.frames / 2), y);
    await page.focus('#stage');
    await webview.press('p');
    await page.evaluate(startRecording);
    const quality = () =>
      page.$eval('#video', (video) => {
        const { droppedVideoFrames, totalVideoFrames } = (video as HTMLVideoElement).getVideoPlaybackQuality();
        return { droppedVideoFrames, totalVideoFrames };
      });
    const before = await quality();
    await webview.press(' ');
    await page.waitForTimeout(PLAY_MS);
    const play = await page.evaluate(() => (window as unknown as { __stopRecording: () => Recording }).__stopRecording());
    const after = await quality();
    await webview.press(' ');
    const errors = [...webview.errors];
    await webview.close();

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map(round), chromium: browser.version() },
      video: { minutes: MINUTES, frames: info.frames, fps: info.fps, copy: `${copySize.width}×${copySize.height} H.264, keyframe every ${PROXY_KEYFRAME_INTERVAL} frames`, tracks: TRACKS },
      /** Seconds to make the synthetic source and its review copy (absent: both were in the temp folder already). */
      madeS: made.madeS && { source: round(made.madeS.source), copy: round(made.madeS.copy), copyFramesPerS: round(info.frames / made.madeS.copy) },
      openMs,
      seekMs: { median: round(percentile(seeks, 50)), p95: round(percentile(seeks, 95)), max: round(Math.max(...seeks)), samples: seeks.map(round) },
      drag: {
        steps: DRAG_STEPS,
        durationMs: Math.round(drag.durationMs),
        framesShown: drag.shown,
        framesShownPerS: round((drag.shown / drag.durationMs) * 1000),
        frameMs: { median: round(percentile(drag.frames, 50)), p95: round(percentile(drag.frames, 95)), max: round(Math.max(...drag.frames)) },
      },
      play: {
        durationMs: Math.round(play.durationMs),
        framesShown: play.shown,
        droppedVideoFrames: after.droppedVideoFrames - before.droppedVideoFrames,
        decodedVideoFrames: after.totalVideoFrames - before.totalVideoFrames,
        frameMs: { median: round(percentile(play.frames, 50)), p95: round(percentile(play.frames, 95)), max: round(Math.max(...play.frames)) },
      },
      bars: BARS,
      pass: {
        seekMedian: percentile(seeks, 50) <= BARS.seekMedianMs,
        seekP95: percentile(seeks, 95) <= BARS.seekP95Ms,
        dragFrames: percentile(drag.frames, 95) <= BARS.frameP95Ms,
        playFrames: percentile(play.frames, 95) <= BARS.frameP95Ms,
      },
      pageErrors: errors,
    };
    const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER');
    console.table([
      { measure: `open the ${MINUTES}-min copy (copy message → first frame shown)`, value: `${openMs} ms`, bar: '', result: '' },
      { measure: `seek: click on the timeline → frame shown, median / p95 of ${SEEKS}`, value: `${results.seekMs.median} / ${results.seekMs.p95} ms`, bar: `≤ ${BARS.seekMedianMs} / ${BARS.seekP95Ms} ms`, result: verdict(results.pass.seekMedian && results.pass.seekP95) },
      { measure: `drag across the timeline (${results.drag.durationMs} ms): frame median / p95`, value: `${results.drag.frameMs.median} / ${results.drag.frameMs.p95} ms`, bar: `p95 ≤ ${BARS.frameP95Ms} ms`, result: verdict(results.pass.dragFrames) },
      { measure: '  video frames shown while dragging', value: `${results.drag.framesShown} (${results.drag.framesShownPerS} /s)`, bar: '', result: '' },
      { measure: `play ${PLAY_MS / 1000} s, ${TRACKS} tracks + redaction preview: frame median / p95`, value: `${results.play.frameMs.median} / ${results.play.frameMs.p95} ms`, bar: `p95 ≤ ${BARS.frameP95Ms} ms`, result: verdict(results.pass.playFrames) },
      { measure: '  video frames shown / dropped by the element', value: `${results.play.framesShown} / ${results.play.droppedVideoFrames}`, bar: '', result: '' },
      ...(results.madeS ? [{ measure: 'set-up: synthetic source; its review copy (daemon encoder)', value: `${results.madeS.source} s; ${results.madeS.copy} s (${results.madeS.copyFramesPerS} frames/s)`, bar: '', result: '' }] : []),
    ]);
    if (errors.length) console.warn('page errors:', errors);
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'videoScrub.json'), `${JSON.stringify(results, null, 2)}\n`);
    if (!Object.values(results.pass).every(Boolean) || errors.length) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
