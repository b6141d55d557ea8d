/**
 * Issue #13: frames stream out of a video (daemon/video/frameReader.ts) the same way every time — frame n is the
 * same picture in every run and from every starting point, so detection, commit and verify agree on frame numbers —
 * in displayed orientation, and no ffmpeg process outlives a read that stops early.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type Rect, type VideoInfo } from '../../daemon/protocol';
import { VeilError } from '../../daemon/errors';
import { probeVideo } from '../../daemon/video/probe';
import { readFrames, type VideoFrame } from '../../daemon/video/frameReader';
import { startTool } from '../../daemon/video/toolProcess';
import { tempDir, meanDiff } from '../support/images';
import { freshRegistry } from '../support/models';
import { makeClip, renderFrame, type ClipSpec, type SyntheticClip } from '../support/syntheticClips';

/** A face panning and zooming across 100 frames (4 s at 25 fps), so that neighbouring frames differ. */
const MOVING: ClipSpec = {
  width: 320,
  height: 240,
  fps: 25,
  frames: 100,
  faces: [{ keys: [{ frame: 0, x: -40, y: 10, scale: 0.6 }, { frame: 99, x: 220, y: 40, scale: 1 }] }],
};

const sha = (rgb: Buffer) => createHash('sha256').update(rgb).digest('hex');

async function collect(path: string, info: VideoInfo, options: Parameters<typeof readFrames>[2] = {}): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of readFrames(path, info, options)) frames.push(frame);
  return frames;
}

/** ffmpeg processes whose parent is this test process, in any state (a zombie included). */
function childFfmpegs(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [, comm, state, ppid] = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat) ?? [];
      if (comm === 'ffmpeg' && Number(ppid) === process.pid) found.push(`${pid} ${state}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}


function iou(a: Rect, b: Rect): number {
  const w = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (w * h) / (a.w * a.h + b.w * b.h - w * h);
}

describe('video frames', function () {
  this.timeout(120_000);
  let dir: string;
  let moving: SyntheticClip;
  let info: VideoInfo;
  before(async () => {
    dir = tempDir('veil-frames-');
    moving = await makeClip({ ...MOVING, name: 'moving' }, dir);
    info = await probeVideo(moving.path);
  });

  it('reads as many frames as the probe counts, numbered from 0, RGB at the displayed size, identical in two runs', async () => {
    const first = await collect(moving.path, info);
    const second = await collect(moving.path, info);
    assert.equal(first.length, info.frames);
    assert.deepEqual(first.map((f) => f.index), Array.from({ length: info.frames }, (_, i) => i));
    assert.ok(first.every((f) => f.rgb.length === 320 * 240 * 3));
    assert.deepEqual(second.map((f) => sha(f.rgb)), first.map((f) => sha(f.rgb)), 'frame k is the same picture in both runs');
    // The pictures are the clip's, in order: each frame is closer to its own rendering than to its neighbour's.
    for (const k of [0, 37, 99]) {
      const own = (await renderFrame(MOVING, k)).rgb;
      const next = (await renderFrame(MOVING, k === 99 ? 98 : k + 1)).rgb;
      assert.ok(meanDiff(first[k]!.rgb, own) < meanDiff(first[k]!.rgb, next), `frame ${k}`);
    }
  });

  it('a read from frame k (a seek) gives the same pictures as a full read, also when the video starts after the audio', async () => {
    // The same clip with its video delayed half a second behind a tone: the file's time starts with the audio.
    const delayed = join(dir, 'delayed.mp4');
    const remux = await startTool('ffmpeg', ['-v', 'error', '-y', '-itsoffset', '0.5', '-i', `file:${moving.path}`, '-f', 'lavfi', '-i', 'sine=duration=5', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', `file:${delayed}`]);
    assert.equal((await remux.exited).code, 0);
    for (const path of [moving.path, delayed]) {
      const probed = await probeVideo(path);
      assert.equal(probed.frames, 100);
      const full = (await collect(path, probed)).map((f) => sha(f.rgb));
      for (const [from, to] of [[3, 6], [60, 64], [97, 100]] as const) {
        const part = await collect(path, probed, { from, to });
        assert.deepEqual(part.map((f) => f.index), Array.from({ length: to - from }, (_, i) => from + i));
        assert.deepEqual(part.map((f) => sha(f.rgb)), full.slice(from, to), `${path}: frames ${from}..${to - 1}`);
      }
    }
  });

  it('reads MKV and WebM clips to the frame count the probe gives', async () => {
    for (const container of ['mkv', 'webm'] as const) {
      const clip = await makeClip({ ...MOVING, frames: 40, container, audio: true, name: `counted-${container}` }, dir);
      const probed = await probeVideo(clip.path);
      const frames = await collect(clip.path, probed);
      assert.equal(frames.length, 40, container);
      assert.equal(probed.frames, 40, container);
    }
  });

  for (const rotation of [90, 180, 270] as const) {
    it(`turns a clip displayed at ${rotation}°: the marker is at the displayed top-left and the frame matches its rendering`, async () => {
      const spec: ClipSpec = { ...MOVING, frames: 10, marker: true, rotation, name: `marker${rotation}` };
      const clip = await makeClip(spec, dir);
      const probed = await probeVideo(clip.path);
      const [frame] = await collect(clip.path, probed, { to: 1 });
      const at = (x: number, y: number) => frame!.rgb[(y * 320 + x) * 3]!;
      assert.ok(at(8, 8) > 230, `marker at the top-left (${at(8, 8)})`);
      for (const [x, y] of [[311, 8], [8, 231], [311, 231]]) assert.ok(at(x!, y!) < 230, `no marker at ${x},${y}`);
      assert.ok(meanDiff(frame!.rgb, (await renderFrame(spec, 0)).rgb) < 6, 'the whole frame as rendered');
    });
  }

  it('puts each truth box where the detector finds the face in the decoded frames', async () => {
    const detector = await freshRegistry().load();
    try {
      const frames = await collect(moving.path, info);
      for (const k of [30, 60, 90]) {
        const truth = moving.truth[k]!;
        assert.equal(truth.length, 1);
        const faces = await detector.detect({ rgb: frames[k]!.rgb, width: 320, height: 240 }, { threshold: detector.defaultThreshold, thorough: false });
        assert.ok(faces.some((face) => iou(face, truth[0]!.box) > 0.5), `frame ${k}: truth ${JSON.stringify(truth[0]!.box)}, found ${JSON.stringify(faces)}`);
      }
    } finally {
      await detector.dispose();
    }
  });

  it('leaves no ffmpeg process behind after a loop that breaks early or a read that is aborted', async () => {
    for await (const frame of readFrames(moving.path, info)) if (frame.index === 5) break;
    assert.deepEqual(childFfmpegs(), []);

    const controller = new AbortController();
    const aborted = (async () => {
      for await (const frame of readFrames(moving.path, info, { signal: controller.signal })) if (frame.index === 2) controller.abort();
    })();
    await assert.rejects(aborted, (error: unknown) => VeilError.is(error) && error.code === ErrorCode.Cancelled);
    assert.deepEqual(childFfmpegs(), []);
  });

  it('a video cut short after its index (MP4 with the index first) fails with the frame it ends at', async () => {
    const bytes = readFileSync(moving.path);
    writeFileSync(join(dir, 'cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const probed = await probeVideo(join(dir, 'cut.mp4'));
    assert.equal(probed.frames, 100, 'the index still counts every frame');
    await assert.rejects(collect(join(dir, 'cut.mp4'), probed), (error: unknown) => {
      assert.ok(VeilError.is(error));
      assert.equal(error.code, ErrorCode.VideoUnreadable);
      assert.match(error.message, /^not a readable video: the file is truncated or damaged \(it ends after frame \d+ of 100\)$/);
      return true;
    });
    assert.deepEqual(childFfmpegs(), []);
  });
});
