/**
 * One run of ffmpeg or ffprobe as a child process: stdout and stdin as the caller needs them, stderr kept (its
 * last STDERR_TAIL_CHARS, what the error mapping reads), killed on abort, and always waited for, so no run is left
 * behind as a zombie or an orphan. Runs with `-nostdin`-style isolation: no shell, its own argument array.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { videoToolPath, type VideoTool } from './ffmpegBinaries';

/** What is kept of a run's stderr: with `-v error` a failing run writes a few lines; a damaged stream can write thousands. */
const STDERR_TAIL_CHARS = 8192;

export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last STDERR_TAIL_CHARS of what it wrote to stderr. */
  stderr: string;
}

export interface ToolRun {
  stdout: Readable;
  /** Present when started with `stdin: true`. */
  stdin?: Writable;
  /** Settles once the process has exited and its pipes are closed (never rejects). */
  exited: Promise<ToolExit>;
  /** Kills the process (SIGKILL) if it still runs, and waits for it. */
  kill(): Promise<ToolExit>;
}

export interface ToolOptions {
  /** Whether the caller writes to its stdin (the frame writer); otherwise stdin is /dev/null. */
  stdin?: boolean;
  /** Aborting kills the process. */
  signal?: AbortSignal;
}

export async function startTool(tool: VideoTool, args: readonly string[], options: ToolOptions = {}): Promise<ToolRun> {
  const binary = await videoToolPath(tool);
  throwIfAborted(options.signal);
  const child = spawn(binary, args, { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<ToolExit>((resolve) => {
    child.once('error', (error) => {
      stderr += `\n${tool} could not be started: ${error.message}`;
      resolve({ code: null, signal: null, stderr });
    });
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  // A writer killed mid-frame would otherwise throw EPIPE from stdin as an unhandled 'error' event.
  child.stdin?.on('error', () => undefined);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  const onAbort = () => void kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  void exited.then(() => options.signal?.removeEventListener('abort', onAbort));
  return { stdout: child.stdout!, stdin: child.stdin ?? undefined, exited, kill };
}

/** Runs a tool to its end and returns its stdout (for ffprobe's JSON and `-codecs`), refusing more than `maxBytes`. */
export async function runToolForOutput(tool: VideoTool, args: readonly string[], maxBytes: number, signal?: AbortSignal): Promise<{ stdout: string } & ToolExit> {
  const run = await startTool(tool, args, { signal });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of run.stdout as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      await run.kill();
      throw new VeilError(ErrorCode.VideoUnreadable, `${tool} wrote more than ${maxBytes} bytes about the file`);
    }
    chunks.push(chunk);
  }
  const exit = await run.exited;
  throwIfAborted(signal);
  return { stdout: Buffer.concat(chunks).toString('utf8'), ...exit };
}


/** The protocol's Cancelled error once `signal` is aborted (a cancelled request is never shown as an error). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new VeilError(ErrorCode.Cancelled, 'cancelled');
}
