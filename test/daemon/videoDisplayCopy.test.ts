/**
 * Issue #13: `video/displayCopy` over the real daemon — the review proxy of a dataset video: small H.264 without
 * audio or metadata, a keyframe every 8 frames, frame n of the proxy is frame n of the video (in the reader and as
 * Chromium plays it), cached until the file changes; refusals name the file and the cause.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, type VideoInfo } from '../../daemon/protocol';
import { probeVideo } from '../../daemon/video/probe';
import { readFrames } from '../../daemon/video/frameReader';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir, meanDiff } from '../support/images';
import { launchChromium } from '../support/webviewHarness';
import { makeClip, type ClipSpec, type SyntheticClip } from '../support/syntheticClips';
import { allTags, inspectVideo, keyframeIndexes } from '../support/videoInspect';

/** Displayed 960 × 720 (stored turned, with audio and a title): the proxy is 720 × 540. */
const CLIP: ClipSpec = {
  width: 960,
  height: 720,
  fps: 25,
  frames: 40,
  faces: [{ keys: [{ frame: 0, x: 0, y: 100, scale: 1.5 }, { frame: 39, x: 700, y: 300, scale: 2 }] }],
  rotation: 90,
  audio: true,
  metadata: { title: 'Patient 12', location: '+12.3456-098.7654/' },
};

async function frames(path: string, info: VideoInfo): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const frame of readFrames(path, info)) out.push(frame.rgb);
  return out;
}


describe('video/displayCopy', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let root: string;
  let clip: SyntheticClip;
  before(async () => {
    root = tempDir('veil-proxy-');
    clip = await makeClip({ ...CLIP, name: 'consultation' }, root);
  });
  afterEach(async () => {
    await daemon?.client.close();
    daemon = undefined;
  });

  it('makes a 540-px H.264 proxy without audio or metadata, a keyframe every 8 frames, frame-exact, cached until the file changes', async () => {
    daemon = await startDaemon();
    const progress: number[] = [];
    const result = await daemon.client.request('video/displayCopy', { root, file: 'consultation.mp4' }, { onProgress: (p) => progress.push(p.done) });
    assert.equal(dirname(result.path), join(root, '.veil', 'display'));
    assert.match(result.path, /\.mp4$/);
    assert.deepEqual({ ...result, path: '' }, { path: '', width: 720, height: 540, fps: 25, frames: 40 });
    assert.ok(progress.every((done) => done <= 40));

    const inspected = await inspectVideo(result.path);
    assert.deepEqual(inspected.streams.map((s) => `${s.codec_type}/${s.codec_name}/${s.width}x${s.height}`), ['video/h264/720x540']);
    assert.equal(inspected.streams[0]!.side_data_list, undefined, 'no rotation: the pixels are turned');
    assert.deepEqual(allTags(inspected).filter((tag) => !/^(format:(major_brand|minor_version|compatible_brands)=|stream 0:(language=und|handler_name=VideoHandler|vendor_id=))/.test(tag)), []);
    assert.deepEqual(await keyframeIndexes(result.path), [0, 8, 16, 24, 32]);

    // Frame n of the proxy is frame n of the video: closer to the video's frame n (scaled) than to its neighbours.
    const source = await probeVideo(clip.path);
    const proxy = await probeVideo(result.path);
    assert.equal(proxy.frames, 40);
    const proxyFrames = await frames(result.path, proxy);
    const sourceFrames = await frames(clip.path, source);
    const scaled = (k: number) => sharp(sourceFrames[k]!, { raw: { width: 960, height: 720, channels: 3 } }).resize(720, 540).raw().toBuffer();
    for (const k of [1, 20, 38]) {
      const own = meanDiff(proxyFrames[k]!, await scaled(k));
      assert.ok(own < meanDiff(proxyFrames[k]!, await scaled(k - 1)) && own < meanDiff(proxyFrames[k]!, await scaled(k + 1)), `proxy frame ${k}`);
    }

    const again = await daemon.client.request('video/displayCopy', { root, file: 'consultation.mp4' });
    assert.equal(again.path, result.path, 'cached');
    writeFileSync(clip.path, readFileSync(clip.path));
    const changed = await daemon.client.request('video/displayCopy', { root, file: 'consultation.mp4' });
    assert.notEqual(changed.path, result.path, 'a rewritten file gets a new proxy');
  });

  it('Chromium plays the proxy frame-exactly: at (n + ½) / fps it shows frame n', async function () {
    const browser = await launchChromium(this);
    daemon = await startDaemon();
    const { path } = await daemon.client.request('video/displayCopy', { root, file: 'consultation.mp4' });
    const proxyFrames = await frames(path, await probeVideo(path));
    // The page and the video from one origin (Chromium refuses the video on about:blank), with byte ranges: without
    // them Chromium cannot seek (every seek showed frame 0).
    const bytes = readFileSync(path);
    const server = createServer((request, response) => {
      if (request.url === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>proxy</title>');
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range?.[2] ? Number(range[2]) : bytes.length - 1;
      const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': String(end - start + 1) };
      response.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}` } : headers).end(bytes.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage();
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await page.goto(`${origin}/`);
      const url = `${origin}/proxy.mp4`;
      const shown = await page.evaluate(async ({ url, times }) => {
        const video = document.createElement('video');
        video.muted = true;
        video.src = url;
        await new Promise((resolve, reject) => {
          video.onloadeddata = resolve;
          video.onerror = () => reject(new Error(`video error ${video.error?.code}`));
        });
        const canvas = document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const context = canvas.getContext('2d', { willReadFrequently: true })!;
        const out: string[] = [];
        for (const time of times) {
          video.currentTime = time;
          await new Promise((resolve) => (video.onseeked = resolve));
          context.drawImage(video, 0, 0);
          const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
          // RGB as a binary string (base64 below): a million-number array takes seconds to cross into Node.
          let binary = '';
          for (let i = 0; i < rgba.length; i += 4) binary += String.fromCharCode(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
          out.push(btoa(binary));
        }
        return out;
      }, { url, times: [5, 20, 33].map((n) => (n + 0.5) / 25) });
      for (const [i, n] of [5, 20, 33].entries()) {
        const drawn = Buffer.from(shown[i]!, 'base64');
        const own = meanDiff(drawn, proxyFrames[n]!);
        const before = meanDiff(drawn, proxyFrames[n - 1]!);
        const after = meanDiff(drawn, proxyFrames[n + 1]!);
        assert.ok(own < before && own < after, `at ${n}.5 frames: ${own.toFixed(2)} against ${before.toFixed(2)} / ${after.toFixed(2)}`);
      }
    } finally {
      server.closeAllConnections();
      server.close();
      await browser.close();
    }
  });

  it('refuses a text file named .mp4, a path outside the dataset and a FIFO, naming the file and the cause', async () => {
    daemon = await startDaemon();
    writeFileSync(join(root, 'notes.mp4'), 'not a video\n');
    const text = await rpcError(daemon.client.request('video/displayCopy', { root, file: 'notes.mp4' }));
    assert.equal(text.code, ErrorCode.VideoUnreadable);
    assert.equal(text.file, 'notes.mp4');
    assert.match(text.message, /^not a readable video/);
    assert.equal((await rpcError(daemon.client.request('video/displayCopy', { root, file: '../x.mp4' }))).code, ErrorCode.BadPath);
    execFileSync('mkfifo', [join(root, 'pipe.mp4')]);
    const fifo = await rpcError(daemon.client.request('video/displayCopy', { root, file: 'pipe.mp4' }));
    assert.equal(fifo.code, ErrorCode.BadPath);
    assert.match(fifo.message, /named pipe/);
  });

  it('says which tool is missing when VEIL_FFPROBE names no executable, or not by an absolute path', async () => {
    const plain = join(tempDir('veil-tools-'), 'ffprobe');
    writeFileSync(plain, 'not a program', { mode: 0o644 });
    const cases: Array<[string, string]> = [
      [plain, `ffprobe is not available: VEIL_FFPROBE=${plain} is not executable`],
      ['bin/ffprobe', 'ffprobe is not available: VEIL_FFPROBE=bin/ffprobe is not an absolute path'],
      ['/nonexistent/ffprobe', 'ffprobe is not available: VEIL_FFPROBE=/nonexistent/ffprobe is not a file'],
    ];
    for (const [value, message] of cases) {
      daemon = await startDaemon({ VEIL_FFPROBE: value });
      const error = await rpcError(daemon.client.request('video/displayCopy', { root, file: 'consultation.mp4' }));
      assert.equal(error.code, ErrorCode.VideoToolMissing, error.message);
      assert.equal(error.message, message);
      await daemon.client.close();
      daemon = undefined;
    }
  });
});
