/**
 * Review webview latency on a 10,000-image dataset, in the test harness (headless Chromium, built bundle,
 * real images served from loopback):
 * - first image: dataset message posted → first image decoded, its boxes drawn, next frame painted
 * - switch: J pressed → next image (already preloaded: the cached case) shown with boxes, next frame
 * - filmstrip: scroll from the first to the last of 10,000 rows (thumbnails for all of them), frame times
 * - heap: JS heap after that scroll (CDP Performance.getMetrics)
 * Usage: node scripts/build.mjs && node out/bench/webview.js   → table + bench/results/webview.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Box, ImageRecord } from '../daemon/protocol';
import { Thumbnails, type WebviewEntry } from '../webview/protocol';
import { datasetLoad, ImageFolder } from '../test/support/webviewDataset';
import { launchBrowser, WebviewPage, WebviewServer } from '../test/support/webviewHarness';

/** This file runs as out/bench/webview.js. */
const REPO = resolve(__dirname, '..', '..');
const ASTRONAUT = join(REPO, 'test', 'fixtures', 'astronaut.png');
const IMAGES = 10_000;
const REAL_IMAGES = 8;
const SWITCHES = 12;
const SCROLL_PX_PER_FRAME = 1280;
const BARS = { firstImageMs: 500, switchMs: 100, frameMs: 50, heapMB: 150 };

const fileName = (index: number) => `img-${String(index).padStart(5, '0')}.jpg`;

/** Real photos of camera-like sizes (12 MP and 2 MP, landscape and portrait), and their 256 px thumbnails. */
async function makeImages(folder: ImageFolder): Promise<void> {
  const sizes = [
    [4032, 3024],
    [1600, 1200],
    [3024, 4032],
    [1920, 1080],
  ] as const;
  for (let index = 0; index < REAL_IMAGES; index++) {
    const [width, height] = sizes[index % sizes.length]!;
    const photo = sharp(ASTRONAUT).resize(width, height, { fit: 'cover', position: index % 2 ? 'top' : 'centre' }).modulate({ hue: index * 40 });
    await folder.add(`real-${index}.jpg`, photo.clone().jpeg({ quality: 90 }));
    await folder.add(`thumb-${index}.jpg`, photo.clone().resize(256, 256, { fit: 'inside' }).jpeg({ quality: 80 }));
  }
}

function realFor(folder: ImageFolder, file: string, prefix: 'real' | 'thumb'): string | undefined {
  const index = Number(/img-(\d+)\.jpg$/.exec(file)?.[1]);
  return Number.isFinite(index) ? folder.images.get(`${prefix}-${index % REAL_IMAGES}.jpg`)?.path : undefined;
}

function datasetRecords(entries: WebviewEntry[]): ImageRecord[] {
  return entries.map((entry, index) => {
    const boxes: Box[] = Array.from({ length: 1 + (index % 5) }, (_, n) => ({
      id: `${index}-${n}`,
      x: (entry.width * (0.1 + 0.15 * n)) | 0,
      y: (entry.height * 0.2) | 0,
      w: (entry.width * 0.1) | 0,
      h: (entry.height * 0.12) | 0,
      score: 0.3 + ((index * 7 + n * 13) % 70) / 100,
      source: 'model',
      state: 'proposed',
      edited: false,
    }));
    return { file: entry.file, width: entry.width, height: entry.height, boxes, status: index % 3 === 0 ? 'reviewed' : 'unreviewed' };
  });
}

/**
 * In the page: milliseconds from posting the dataset message (or pressing J) until the stage shows the
 * new image ready and one more frame is painted; and when the message event arrived (0 for J).
 * The message comes as JSON text and is parsed before the clock starts, as VS Code's IPC hands it to the
 * webview's host frame (objects Playwright builds from an evaluate argument clone several times slower).
 */
function timeUntilShown([action, json]: readonly ['dataset' | 'next', string]): Promise<{ total: number; arrived: number }> {
  const payload: unknown = action === 'dataset' ? JSON.parse(json) : null;
  return new Promise((resolve) => {
    const stage = document.getElementById('stage')!;
    const previous = stage.dataset.file;
    const started = performance.now();
    let arrived = 0;
    window.addEventListener('message', () => (arrived = performance.now() - started), { capture: true, once: true });
    const done = () => requestAnimationFrame(() => resolve({ total: performance.now() - started, arrived }));
    const observer = new MutationObserver(() => {
      if (stage.dataset.ready === 'true' && stage.dataset.record === 'true' && stage.dataset.file !== previous) {
        observer.disconnect();
        done();
      }
    });
    observer.observe(stage, { attributes: true });
    if (action === 'dataset') window.postMessage(payload, '*');
    else document.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
  });
}

interface ScrollResult {
  frames: number[];
  durationMs: number;
  rowsSeen: number;
  /** Long animation frames (> 50 ms) Chrome attributes to this page, with the page's own work in each. */
  longFrames: Array<{ duration: number; script: number; styleAndLayout: number }>;
}

/**
 * In the page: scrolls the filmstrip to its end, a fixed step per frame; returns the frame times, and
 * Chrome's long-animation-frame entries (they tell the page's own work from waiting for a busy CPU).
 */
function scrollFilmstrip(step: number): Promise<ScrollResult> {
  return new Promise((resolve) => {
    type LongFrame = PerformanceEntry & { renderStart: number; styleAndLayoutStart: number; scripts: Array<{ duration: number }> };
    const longFrames: ScrollResult['longFrames'] = [];
    const frameObserver = new PerformanceObserver((entries) => {
      for (const entry of entries.getEntries() as LongFrame[]) {
        longFrames.push({
          duration: entry.duration,
          script: entry.scripts.reduce((sum, script) => sum + script.duration, 0),
          styleAndLayout: entry.styleAndLayoutStart ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0,
        });
      }
    });
    frameObserver.observe({ type: 'long-animation-frame' });
    const list = document.getElementById('filmstrip')!;
    const frames: number[] = [];
    const seen = new Set([...list.querySelectorAll<HTMLElement>('.filmstrip__row:not([hidden])')].map((row) => row.dataset.file!));
    const started = performance.now();
    let last = started;
    let atEnd = false;
    const observer = new MutationObserver((mutations) => {
      for (const mutation of mutations) seen.add((mutation.target as HTMLElement).dataset.file!);
    });
    observer.observe(list, { subtree: true, attributes: true, attributeFilter: ['data-file'] });
    const tick = (now: number) => {
      frames.push(now - last);
      last = now;
      if (atEnd) {
        observer.disconnect();
        frameObserver.disconnect();
        resolve({ frames: frames.slice(1), durationMs: now - started, rowsSeen: seen.size, longFrames });
        return;
      }
      atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 1;
      // Scroll after this frame's callbacks, as input does: the list then renders each position it reaches.
      setTimeout(() => (list.scrollTop += step));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Tasks on the page's main thread from a Chrome trace: wall time and thread CPU time. CPU time is what
 * the page's own work costs; wall time adds the waits for a CPU when other processes keep it busy.
 */
function mainThreadTasks(trace: Buffer): { tasks: number; cpuMs: number; longestCpuMs: number; longestWallMs: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  const tasks = events.filter((event) => event.name === 'RunTask' && event.ph === 'X' && event.pid === main?.pid && event.tid === main?.tid);
  const cpu = tasks.map((task) => (task.tdur ?? 0) / 1000);
  return {
    tasks: tasks.length,
    cpuMs: cpu.reduce((sum, ms) => sum + ms, 0),
    longestCpuMs: Math.max(0, ...cpu),
    longestWallMs: Math.max(0, ...tasks.map((task) => (task.dur ?? 0) / 1000)),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  const folder = new ImageFolder();
  const server = new WebviewServer((path) => {
    if (path.startsWith('/images/')) return realFor(folder, path, 'real');
    if (path.startsWith('/thumbs/')) return realFor(folder, path, 'thumb');
    return undefined;
  }, join(REPO, 'dist'));
  const browser = await launchBrowser();
  try {
    await makeImages(folder);
    await server.start();
    const entries: WebviewEntry[] = Array.from({ length: IMAGES }, (_, index) => {
      const real = folder.images.get(`real-${index % REAL_IMAGES}.jpg`)!;
      return { file: fileName(index), imageUri: `${server.origin}/images/${fileName(index)}?v=1`, version: '1', width: real.width, height: real.height };
    });
    const records = datasetRecords(entries);
    const load = datasetLoad({ root: folder.dir, entries, records, settings: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' } });
    const webview = await WebviewPage.open(browser, server, { theme: 'dark' });
    const page = webview.page;
    await webview.serveRecords(records);

    const first = await page.evaluate(timeUntilShown, ['dataset', JSON.stringify(load)] as const);
    const firstImageMs = first.total;
    const boxesShown = await page.$$eval('#boxes .box', (boxes) => boxes.length);

    const switches: number[] = [];
    for (let index = 0; index < SWITCHES; index++) {
      await page.waitForTimeout(400); // let the neighbour preload finish: the cached case
      switches.push((await page.evaluate(timeUntilShown, ['next', ''] as const)).total);
    }

    const thumbs = Object.fromEntries(entries.map((entry) => [entry.file, `${server.origin}/thumbs/${entry.file}`]));
    await webview.post(Thumbnails.create({ thumbs }));
    await browser.startTracing(page, { categories: ['toplevel', 'disabled-by-default-devtools.timeline'] });
    const scroll = await page.evaluate(scrollFilmstrip, SCROLL_PX_PER_FRAME);
    const mainThread = mainThreadTasks(await browser.stopTracing());

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN) / 2 ** 20;
    const heapMB = await metric('JSHeapUsedSize');
    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfterGcMB = await metric('JSHeapUsedSize');
    const errors = [...webview.errors];
    await webview.close();

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map(round), chromium: browser.version() },
      images: IMAGES,
      firstImageMs: round(firstImageMs),
      /** Of which: postMessage → message event (structured clone of the dataset message, mostly its boxes). */
      firstImageTransportMs: round(first.arrived),
      datasetMessageMB: round(JSON.stringify(load).length / 2 ** 20),
      firstImageBoxes: boxesShown,
      switchMs: { median: round(percentile(switches, 50)), max: round(Math.max(...switches)), samples: switches.map(round) },
      filmstrip: {
        rows: IMAGES,
        rowsSeen: scroll.rowsSeen,
        frames: scroll.frames.length,
        durationMs: Math.round(scroll.durationMs),
        maxFrameMs: round(Math.max(...scroll.frames)),
        slowFrames: scroll.frames.flatMap((ms, frame) => (ms > BARS.frameMs ? [{ frame, ms: round(ms) }] : [])),
        longAnimationFrames: scroll.longFrames.map((frame) => ({ ms: round(frame.duration), scriptMs: round(frame.script), styleAndLayoutMs: round(frame.styleAndLayout) })),
        maxPageWorkMs: round(Math.max(0, ...scroll.longFrames.map((frame) => frame.script + frame.styleAndLayout))),
        /** Page main thread during the scroll, from a Chrome trace: CPU time per frame and the longest task. */
        mainThreadCpuMsPerFrame: round(mainThread.cpuMs / scroll.frames.length),
        longestTaskCpuMs: round(mainThread.longestCpuMs),
        longestTaskWallMs: round(mainThread.longestWallMs),
        p95FrameMs: round(percentile(scroll.frames, 95)),
      },
      heapMB: round(heapMB),
      heapAfterGcMB: round(heapAfterGcMB),
      bars: BARS,
      pass: {
        firstImage: firstImageMs <= BARS.firstImageMs,
        switch: Math.max(...switches) <= BARS.switchMs,
        frames: Math.max(...scroll.frames) <= BARS.frameMs,
        heap: heapMB <= BARS.heapMB,
      },
      pageErrors: errors,
    };
    const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER');
    console.table([
      { measure: `dataset message (${results.datasetMessageMB} MB) → first image with boxes (of which message transport)`, value: `${results.firstImageMs} ms (${results.firstImageTransportMs} ms)`, bar: `≤ ${BARS.firstImageMs} ms`, result: verdict(results.pass.firstImage) },
      { measure: `switch image, cached (median / max of ${SWITCHES})`, value: `${results.switchMs.median} / ${results.switchMs.max} ms`, bar: `≤ ${BARS.switchMs} ms`, result: verdict(results.pass.switch) },
      { measure: `filmstrip scroll, ${IMAGES} rows (${results.filmstrip.durationMs} ms, ${results.filmstrip.frames} frames): max / p95 frame`, value: `${results.filmstrip.maxFrameMs} / ${results.filmstrip.p95FrameMs} ms`, bar: `≤ ${BARS.frameMs} ms`, result: verdict(results.pass.frames) },
      { measure: `  long frames Chrome saw (> 50 ms): count; most script + style/layout in one`, value: `${results.filmstrip.longAnimationFrames.length}; ${results.filmstrip.maxPageWorkMs} ms`, bar: '', result: '' },
      { measure: '  page main thread: CPU per frame; longest task CPU (wall)', value: `${results.filmstrip.mainThreadCpuMsPerFrame}; ${results.filmstrip.longestTaskCpuMs} (${results.filmstrip.longestTaskWallMs}) ms`, bar: '', result: '' },
      { measure: 'JS heap after the scroll (after GC)', value: `${results.heapMB} MB (${results.heapAfterGcMB} MB)`, bar: `≤ ${BARS.heapMB} MB`, result: verdict(results.pass.heap) },
    ]);
    if (scroll.rowsSeen < IMAGES) console.warn(`the scroll showed ${scroll.rowsSeen} of ${IMAGES} rows`);
    if (errors.length) console.warn('page errors:', errors);
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'webview.json'), `${JSON.stringify(results, null, 2)}\n`);
    if (!Object.values(results.pass).every(Boolean) || errors.length) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.stop();
    folder.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
