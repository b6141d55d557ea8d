/**
 * The client side of the daemon protocol: spawns the daemon, sends typed requests, routes `$/progress`,
 * cancels with `$/cancelRequest`. Used by the CLI and the extension alike; imports no native module.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import {
  ErrorCode,
  NOTIFY_CANCEL,
  NOTIFY_PROGRESS,
  NOTIFY_DATASET_RECONCILED,
  NOTIFY_REVIEW_CHANGED,
  isProgressParams,
  isRecord,
  isDatasetReconciledParams,
  isReviewChangedParams,
  type DatasetReconciledParams,
  type ReviewChangedParams,
  type MethodName,
  type ProgressParams,
  type VeilMethods,
} from '../daemon/protocol';
import { MAX_ANSWER_LINE_BYTES, MAX_REQUEST_LINE_BYTES, onLines, writeMessage } from '../daemon/ndjson';

/** An error answered by the daemon, with its protocol code. */
export class DaemonError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
  static is(value: unknown): value is DaemonError {
    return value instanceof DaemonError;
  }
  get cancelled(): boolean {
    return this.code === ErrorCode.Cancelled;
  }
}

export interface RequestOptions {
  onProgress?: (progress: ProgressParams) => void;
  signal?: AbortSignal;
}

export interface SpawnOptions {
  /** Path of the built daemon bundle (dist/daemon.js). */
  daemonPath: string;
  /** Node or Electron binary; Electron runs as Node through ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  onStderr?: (line: string) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const SHUTDOWN_GRACE_MS = 2000;
/** Stderr lines kept to explain an unexpected exit. */
const STDERR_TAIL = 5;
/** The longest stderr line passed on whole (log lines, stack traces); a longer one is passed on cut. */
const MAX_STDERR_LINE_BYTES = 64 * 1024;
/** The id of an answer, from the start of its line (json-rpc-2.0 writes `{"jsonrpc":"2.0","id":…` first). */
const ANSWER_ID = /^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*(\d+)\s*,/;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export class DaemonClient {
  private nextId = 1;
  private readonly progressListeners = new Map<string, (progress: ProgressParams) => void>();
  private readonly reviewListeners = new Set<(params: ReviewChangedParams) => void>();
  private readonly reconciledListeners = new Set<(params: DatasetReconciledParams) => void>();
  private readonly rpc: JSONRPCClient;
  private exitReason: string | undefined;
  private readonly stderrTail: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, options: SpawnOptions) {
    this.rpc = new JSONRPCClient((payload) => writeMessage(child.stdin, payload));
    child.stdin.on('error', () => undefined);
    onLines(child.stdout, (line) => this.receive(line), () => undefined, { maxLineBytes: MAX_ANSWER_LINE_BYTES, onOversized: (head) => this.answerTooLarge(head) });
    const onStderrLine = (line: string) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
      options.onStderr?.(line);
    };
    onLines(child.stderr, onStderrLine, () => undefined, { maxLineBytes: MAX_STDERR_LINE_BYTES, onOversized: (head) => onStderrLine(`${head} … (line cut)`) });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        const lastWords = code !== 0 && this.stderrTail.length > 0 ? `: ${this.stderrTail.join(' | ')}` : '';
        this.exitReason = `the Veil daemon exited (${signal ?? `code ${code}`})${lastWords}`;
        this.rpc.rejectAllPendingRequests(this.exitReason);
        options.onExit?.(code, signal);
        resolve({ code, signal });
      });
    });
  }

  static spawn(options: SpawnOptions): DaemonClient {
    const child = spawn(options.execPath ?? process.execPath, [options.daemonPath], {
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new DaemonClient(child, options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private receive(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (isRecord(message) && message.method === NOTIFY_PROGRESS) {
      if (isProgressParams(message.params)) this.progressListeners.get(message.params.token)?.(message.params);
      return;
    }
    if (isRecord(message) && message.method === NOTIFY_REVIEW_CHANGED) {
      if (isReviewChangedParams(message.params)) for (const listener of this.reviewListeners) listener(message.params);
      return;
    }
    if (isRecord(message) && message.method === NOTIFY_DATASET_RECONCILED) {
      if (isDatasetReconciledParams(message.params)) for (const listener of this.reconciledListeners) listener(message.params);
      return;
    }
    this.rpc.receive(message as JSONRPCResponse);
  }

  /** An answer longer than MAX_ANSWER_LINE_BYTES was skipped: its request fails instead of waiting forever. */
  private answerTooLarge(head: string): void {
    const id = ANSWER_ID.exec(head)?.[1];
    if (id === undefined) return;
    const message = `the daemon's answer is larger than ${megabytes(MAX_ANSWER_LINE_BYTES)}, the most a client reads; it was discarded`;
    this.rpc.receive({ jsonrpc: '2.0', id: Number(id), error: { code: ErrorCode.Internal, message } });
  }

  /** The reconcile a `dataset/open` started has ended (`dataset/reconciled`). */
  onReconciled(listener: (params: DatasetReconciledParams) => void): () => void {
    this.reconciledListeners.add(listener);
    return () => this.reconciledListeners.delete(listener);
  }

  /** Review records that other processes changed in a dataset this daemon opened (`review/changed`). */
  onReviewChanged(listener: (params: ReviewChangedParams) => void): () => void {
    this.reviewListeners.add(listener);
    return () => this.reviewListeners.delete(listener);
  }

  async request<M extends MethodName>(
    method: M,
    params: Parameters<VeilMethods[M]>[0],
    options: RequestOptions = {},
  ): Promise<ReturnType<VeilMethods[M]>> {
    if (this.exitReason) throw new DaemonError(ErrorCode.DaemonExited, this.exitReason);
    // Cancelled before it was sent (Cancel pressed while the daemon was starting): the abort event will not fire again.
    if (options.signal?.aborted) throw new DaemonError(ErrorCode.Cancelled, 'cancelled');
    const id = this.nextId++;
    const progressToken = `p${id}`;
    if (options.onProgress) this.progressListeners.set(progressToken, options.onProgress);
    const cancel = () => writeMessage(this.child.stdin, { jsonrpc: '2.0', method: NOTIFY_CANCEL, params: { id } });
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const sent = options.onProgress ? { ...params, progressToken } : params;
      // The daemon discards a longer line unanswered (its id unread): refused here instead of waiting forever.
      const bytes = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id, method, params: sent }));
      if (bytes > MAX_REQUEST_LINE_BYTES) {
        throw new DaemonError(ErrorCode.InvalidRequest, `the ${method} request is ${megabytes(bytes)}, above the daemon's limit of ${megabytes(MAX_REQUEST_LINE_BYTES)} per request`);
      }
      const response = await this.rpc.requestAdvanced({ jsonrpc: '2.0', id, method, params: sent as Record<string, unknown> });
      if (response.error && this.exitReason) throw new DaemonError(ErrorCode.DaemonExited, this.exitReason);
      if (response.error) {
        const file = isRecord(response.error.data) && typeof response.error.data.file === 'string' ? response.error.data.file : undefined;
        throw new DaemonError(response.error.code, response.error.message, file);
      }
      return response.result as ReturnType<VeilMethods[M]>;
    } finally {
      this.progressListeners.delete(progressToken);
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  /** Graceful stop: `shutdown`, then a kill after a grace period. */
  async close(): Promise<void> {
    if (this.exitReason) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
    await this.request('shutdown', {}).catch(() => undefined);
    this.child.stdin.end();
    await this.exited;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
