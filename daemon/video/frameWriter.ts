/**
 * Writes RGB frames into a video file through an ffmpeg child (frames over its stdin; a frame is accepted once the
 * pipe takes it, so a fast producer waits for the encoder: backpressure). What the output holds is decided here:
 * the frames at the same constant rate, none of the original's metadata (`-map_metadata -1`: no GPS, device, title
 * or creation time; no chapters; `+bitexact`: no muxer or encoder version), no rotation tag (the pixels are turned
 * already), and no audio unless `keepAudioFrom` names the original, whose audio streams are then copied as they are
 * (their tags dropped too). `abort()` kills ffmpeg and removes the partial file.
 */
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { ErrorCode, type VideoInfo } from '../protocol';
import { VeilError } from '../errors';
import { fileInput, sourceInputArgs } from './decodeArgs';
import { outputContainerFor, type OutputContainer } from './outputContainers';
import { startTool, throwIfAborted, type ToolExit } from './toolProcess';
import { toolFailure } from './toolErrors';

export interface FrameWriterOptions {
  /** The container and encoder (default: by `dest`'s extension; a temporary name needs it given). */
  container?: OutputContainer;
  /** The original video: its audio streams are copied into the output. */
  keepAudioFrom?: string;
  signal?: AbortSignal;
}

export interface FrameWriter {
  /** Queues one frame (`width × height × 3` RGB bytes); resolves once ffmpeg's pipe has taken it. */
  write(rgb: Buffer): Promise<void>;
  /** Ends the input and waits for the file to be complete; on failure the partial file is removed. */
  finish(): Promise<void>;
  /** Stops at once: kills ffmpeg and removes the partial file. */
  abort(): Promise<void>;
}

export async function openFrameWriter(dest: string, info: Pick<VideoInfo, 'width' | 'height' | 'fps'>, options: FrameWriterOptions = {}): Promise<FrameWriter> {
  const container = options.container ?? outputContainerFor(dest);
  const run = await startTool('ffmpeg', writerArgs(dest, info, container, options.keepAudioFrom), { stdin: true, signal: options.signal });
  const stdin = run.stdin!;
  // Nothing is expected on stdout (the output is a file); drained so that nothing there could ever block ffmpeg.
  run.stdout.resume();
  const frameBytes = info.width * info.height * 3;
  let exit: ToolExit | undefined;
  void run.exited.then((done) => (exit = done));

  const failure = async (done: ToolExit): Promise<VeilError> => {
    await rm(dest, { force: true });
    throwIfAborted(options.signal);
    return done.code === 0 ? new VeilError(ErrorCode.Internal, 'ffmpeg stopped before the last frame was written') : toolFailure(done, dest, 'writing the video', ErrorCode.Internal);
  };

  return {
    async write(rgb) {
      if (rgb.length !== frameBytes) throw new VeilError(ErrorCode.Internal, `a frame of ${rgb.length} bytes, expected ${frameBytes} (${info.width}×${info.height} RGB)`);
      if (exit) throw await failure(exit);
      if (stdin.write(rgb)) return;
      const drained = once(stdin, 'drain').then(() => undefined, () => undefined);
      const ended = run.exited.then((done) => done);
      const settled = await Promise.race([drained, ended]);
      if (settled) throw await failure(settled);
    },
    async finish() {
      stdin.end();
      const done = await run.exited;
      if (done.code !== 0) throw await failure(done);
    },
    async abort() {
      await run.kill();
      await rm(dest, { force: true });
    },
  };
}

function writerArgs(dest: string, info: Pick<VideoInfo, 'width' | 'height' | 'fps'>, container: OutputContainer, keepAudioFrom: string | undefined): string[] {
  const frames = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${info.width}x${info.height}`, '-framerate', String(info.fps), '-i', 'pipe:0'];
  const audio = keepAudioFrom ? sourceInputArgs(keepAudioFrom) : [];
  const maps = ['-map', '0:v:0', ...(keepAudioFrom ? ['-map', '1:a?', '-c:a', 'copy'] : [])];
  // 4:2:0 needs even sides: an odd one gets a black row or column (never a crop, which could drop pixels).
  const even = info.width % 2 || info.height % 2 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
  const metadata = ['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];
  const faststart = container.faststart ? ['-movflags', '+faststart'] : [];
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...frames, ...audio, ...maps, ...even, ...container.videoArgs, ...metadata, ...faststart, '-f', container.muxer, fileInput(dest)];
}
