/**
 * A video's frames as displayed (rotation applied), RGB, `info.width × info.height`, numbered from 0 at the
 * constant rate `info.fps`: streamed from an ffmpeg child over a pipe, one frame at a time. Nothing but the frame
 * being filled is held: while the consumer works on a frame, the pipe is not read, so ffmpeg blocks (backpressure).
 * Frame n is the same picture in every run and from every starting point (decodeArgs.ts builds the one filter
 * chain; a seek lands on the same grid: see `seekPlan`). Ending the loop early, or aborting, kills ffmpeg and waits
 * for it: no child is left running.
 */
import { ErrorCode, type VideoInfo } from '../protocol';
import { decodeInputArgs, displayFilters, FILTERED_TIMING, probeInputArgs } from './decodeArgs';
import { runToolForOutput, startTool, throwIfAborted } from './toolProcess';
import { endedEarly, toolFailure } from './toolErrors';

export interface VideoFrame {
  index: number;
  /** Interleaved RGB, `info.width × info.height × 3` bytes; the consumer owns it (a new buffer per frame). */
  rgb: Buffer;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** The first frame read (default 0). */
  from?: number;
  /** The frame after the last one read (exclusive, like `slice`; default `info.frames`). */
  to?: number;
}

/**
 * How many missing frames at the end of a decode are filled with the last frame, as a constant-rate player holds
 * it: the probe's count is duration × rate for MKV/WebM, which can round one frame past what the stream holds, and a
 * variable-rate stream's last frames can fall off the grid. More than this missing is a truncated or damaged file.
 */
export const END_TOLERANCE_FRAMES = 2;

export async function* readFrames(path: string, info: VideoInfo, options: ReadOptions = {}): AsyncGenerator<VideoFrame> {
  const from = clampFrame(options.from ?? 0, info);
  const to = Math.max(from, clampFrame(options.to ?? info.frames, info));
  if (from === to) return;
  const plan = await seekPlan(path, info, from, options.signal);
  const wanted = plan.skip + (to - from);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', ...decodeInputArgs(path, plan.seekS)];
  args.push('-vf', displayFilters(info).join(','), ...FILTERED_TIMING, '-frames:v', String(wanted), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const run = await startTool('ffmpeg', args, { signal: options.signal });
  const frameBytes = info.width * info.height * 3;
  let decoded = 0;
  let last: Buffer | undefined;
  try {
    let frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    for await (const chunk of run.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled < frameBytes) continue;
        const index = from + decoded - plan.skip;
        decoded++;
        last = frame;
        if (index >= from) yield { index, rgb: frame };
        frame = Buffer.allocUnsafe(frameBytes);
        filled = 0;
      }
    }
    const exit = await run.exited;
    throwIfAborted(options.signal);
    if (exit.code !== 0) throw toolFailure(exit, path, 'reading the video', ErrorCode.VideoUnreadable);
    const missing = wanted - decoded;
    if (missing > END_TOLERANCE_FRAMES || (missing > 0 && !last)) throw endedEarly(exit.stderr, from + decoded - plan.skip, info.frames);
    for (let index = to - missing; index < to; index++) yield { index, rgb: Buffer.from(last!) };
  } finally {
    await run.kill();
  }
}

function clampFrame(frame: number, info: VideoInfo): number {
  return Math.min(Math.max(0, Math.floor(frame)), info.frames);
}

/**
 * Where to start decoding for frame `from`, and how many frames to drop before it. ffmpeg's input seek is
 * accurate (it decodes from the keyframe before and drops frames until the seek time), and its timestamps then
 * start at the seek time, where the fps filter's grid starts. Seeking a quarter frame before a frame's time puts
 * that frame on the grid's first slot (never on a rounding edge). The seek lands `marginFrames` early and drops
 * them, so that a variable-rate stream whose frame is missing at the seek time still fills it as a full decode does
 * (with the frame before, up to a second back). Times are the video stream's: its start after the file's start
 * (audio that starts first) is added.
 */
async function seekPlan(path: string, info: VideoInfo, from: number, signal?: AbortSignal): Promise<{ seekS: number; skip: number }> {
  const marginFrames = Math.ceil(info.fps);
  if (from <= marginFrames) return { seekS: 0, skip: from };
  const startS = await videoStartAfterFileStart(path, signal);
  return { seekS: startS + (from - marginFrames - 0.25) / info.fps, skip: marginFrames };
}

/** ffprobe's output for the two start times: a few hundred bytes. */
const MAX_START_PROBE_BYTES = 64 * 1024;

/** Seconds from the file's first timestamp to its video stream's first (0 unless another stream starts earlier). */
async function videoStartAfterFileStart(path: string, signal?: AbortSignal): Promise<number> {
  const args = ['-v', 'error', '-select_streams', 'V:0', '-show_entries', 'stream=start_time:format=start_time', '-of', 'json', ...probeInputArgs(path)];
  const run = await runToolForOutput('ffprobe', args, MAX_START_PROBE_BYTES, signal);
  if (run.code !== 0) throw toolFailure(run, path, 'reading the video', ErrorCode.VideoUnreadable);
  let parsed: { streams?: Array<{ start_time?: string }>; format?: { start_time?: string } };
  try {
    parsed = JSON.parse(run.stdout) as typeof parsed;
  } catch {
    return 0;
  }
  const stream = Number(parsed.streams?.[0]?.start_time);
  const file = Number(parsed.format?.start_time);
  return Number.isFinite(stream) && Number.isFinite(file) ? Math.max(0, stream - file) : 0;
}
