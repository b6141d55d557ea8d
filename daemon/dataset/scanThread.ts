/**
 * The daemon's scan worker: a thread that walks and stats datasets (listFaceFiles.ts) while the daemon's thread reads
 * the review state, the other half of the requests that pair the two (dataset/open and status, export, import). On one
 * thread they ran one after the other: a new daemon's `dataset/open` of 100,000 images read the 58 MB state for 1.0 s,
 * then waited 0.58 s for the walk (timed in the daemon, 2-core machine); with the worker, the walk is done first.
 *
 * The result comes back as one string of names and two arrays of numbers, moved, not copied: posted as 100,000
 * objects it cost the daemon's thread 43–80 ms to take in, as a string and arrays 13 ms.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode, isRecord, type FileFailure } from '../protocol';
import { VeilError } from '../errors';
import type { DatasetScan } from './listFaceFiles';

export interface ScanRequest {
  id: number;
  root: string;
  scope: string;
}

/** A scan as posted: names joined by NUL (the one character no file name holds), sizes and times by position. */
export interface PostedScan {
  files: string;
  bytes: Float64Array<ArrayBuffer>;
  mtimes: Float64Array<ArrayBuffer>;
  refused: FileFailure[];
}

export interface PostedError {
  message: string;
  code?: ErrorCode;
  file?: string;
}

export type ScanReply = ({ id: number } & PostedScan) | { id: number; error: PostedError };

export function postedScan({ entries, refused }: DatasetScan): PostedScan {
  const bytes = new Float64Array(entries.length);
  const mtimes = new Float64Array(entries.length);
  entries.forEach((entry, index) => {
    bytes[index] = entry.bytes;
    mtimes[index] = entry.mtimeMs;
  });
  return { files: entries.map((entry) => entry.file).join('\0'), bytes, mtimes, refused };
}

export function postedError(error: unknown): PostedError {
  if (VeilError.is(error)) return { message: error.message, code: error.code, ...(error.file === undefined ? {} : { file: error.file }) };
  return { message: error instanceof Error ? error.message : String(error) };
}

function scanOf({ files, bytes, mtimes, refused }: PostedScan): DatasetScan {
  const names = files === '' ? [] : files.split('\0');
  return { entries: names.map((file, index) => ({ file, bytes: bytes[index]!, mtimeMs: mtimes[index]! })), refused };
}

function errorOf({ message, code, file }: PostedError): Error {
  return code === undefined ? new Error(message) : new VeilError(code, message, file);
}

export function isScanRequest(value: unknown): value is ScanRequest {
  return isRecord(value) && typeof value.id === 'number' && typeof value.root === 'string' && typeof value.scope === 'string';
}

function isScanReply(value: unknown): value is ScanReply {
  if (!isRecord(value) || typeof value.id !== 'number') return false;
  if ('error' in value) return isRecord(value.error) && typeof value.error.message === 'string';
  return typeof value.files === 'string' && value.bytes instanceof Float64Array && value.mtimes instanceof Float64Array && Array.isArray(value.refused);
}

/** One worker thread and the scans waiting on it. */
class ScanWorker {
  private readonly thread: Worker;
  private readonly waiting = new Map<number, { resolve: (scan: DatasetScan) => void; reject: (error: Error) => void }>();
  private lastId = 0;

  constructor(script: string, private readonly onLost: (lost: ScanWorker) => void) {
    this.thread = new Worker(script);
    this.thread.on('message', (reply: unknown) => this.receive(reply));
    this.thread.on('error', (error) => this.lost(new VeilError(ErrorCode.Internal, `the dataset scan worker failed: ${error.message}`)));
    this.thread.on('exit', (code) => this.lost(new VeilError(ErrorCode.Internal, `the dataset scan worker stopped (exit code ${code})`)));
  }

  scan(root: string, scope: string): Promise<DatasetScan> {
    const request: ScanRequest = { id: ++this.lastId, root, scope };
    const scanned = new Promise<DatasetScan>((resolve, reject) => this.waiting.set(request.id, { resolve, reject }));
    // Ref'd while a scan waits on it: a caller with nothing else pending still gets its answer.
    this.thread.ref();
    this.thread.postMessage(request);
    return scanned;
  }

  stop(): void {
    void this.thread.terminate();
  }

  private receive(reply: unknown): void {
    if (!isScanReply(reply)) return this.lost(new VeilError(ErrorCode.Internal, 'the dataset scan worker sent an unreadable reply'));
    const caller = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    // Idle, the worker keeps nothing alive: the daemon exits on stdin's end or `shutdown`. (Unref'd before its
    // listeners were added, Node ref'd it again.)
    if (this.waiting.size === 0) this.thread.unref();
    if (!caller) return;
    if ('error' in reply) caller.reject(errorOf(reply.error));
    else caller.resolve(scanOf(reply));
  }

  /** Every scan waiting fails with `error`; the next scan starts a new worker. */
  private lost(error: Error): void {
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
    this.onLost(this);
    this.stop();
  }
}

let workerScript: string | undefined;
let worker: ScanWorker | undefined;

/** The daemon scans in a worker running `script` (its bundle's scanWorker.js) from now on. */
export function scanInWorkerFrom(script: string): void {
  if (script === workerScript) return;
  workerScript = script;
  worker?.stop();
  worker = undefined;
}

export function scansInWorker(): boolean {
  return workerScript !== undefined;
}

export function scanInWorker(root: string, scope: string): Promise<DatasetScan> {
  if (workerScript === undefined) throw new Error('scanInWorker: no scan worker script set (scanInWorkerFrom)');
  worker ??= new ScanWorker(workerScript, (lost) => {
    if (worker === lost) worker = undefined;
  });
  return worker.scan(root, scope);
}
