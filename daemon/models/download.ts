/** Downloads a file over http(s) into a given path, hashing it as it streams. */
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';

export interface DownloadProgress {
  received: number;
  /** From Content-Length; null when the server did not say. */
  total: number | null;
}

/** How long a download may go without receiving a byte before it is abandoned (VEIL_DOWNLOAD_IDLE_MS). */
export function downloadIdleMs(): number {
  const configured = Number(process.env.VEIL_DOWNLOAD_IDLE_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 30_000;
}

/** Aborts `controller` when `touch` has not been called for `ms`. */
function idleWatch(controller: AbortController, ms: number): { touch(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${ms / 1000} s (connection stalled)`)), ms);
  };
  touch();
  return { touch, stop: () => clearTimeout(timer) };
}

/**
 * Writes the body of `url` to the new file `target` and returns its sha256; any failure, including a
 * connection that stalls for downloadIdleMs(), is a ModelDownload error; `cancel` aborts it at once (Cancelled).
 */
export async function downloadTo(url: string, target: string, onProgress?: (progress: DownloadProgress) => void, cancel?: AbortSignal): Promise<string> {
  const cancelled = () => new VeilError(ErrorCode.Cancelled, 'download cancelled');
  if (cancel?.aborted) throw cancelled();
  const controller = new AbortController();
  const idle = idleWatch(controller, downloadIdleMs());
  const stop = () => controller.abort(cancelled());
  cancel?.addEventListener('abort', stop, { once: true });
  try {
    return await streamTo(url, target, controller.signal, idle.touch, onProgress);
  } catch (error) {
    if (cancel?.aborted) throw cancelled();
    throw error;
  } finally {
    idle.stop();
    cancel?.removeEventListener('abort', stop);
  }
}

async function streamTo(url: string, target: string, signal: AbortSignal, touch: () => void, onProgress?: (progress: DownloadProgress) => void): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal });
  } catch (error) {
    throw new VeilError(ErrorCode.ModelDownload, `cannot download ${url}: ${causeOf(error, signal)}`);
  }
  if (!response.ok || !response.body) {
    throw new VeilError(ErrorCode.ModelDownload, `cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const hash = createHash('sha256');
  const file = createWriteStream(target, { flags: 'wx' });
  // A write error reaches the loop through `once(file, 'drain')` or `end`; this listener keeps a write still pending
  // when the download is abandoned (cancelled at its first chunk) from crashing the daemon with ERR_STREAM_DESTROYED.
  file.on('error', () => undefined);
  let received = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      touch();
      hash.update(chunk);
      received += chunk.length;
      if (!file.write(chunk)) await once(file, 'drain');
      onProgress?.({ received, total });
    }
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch (error) {
    file.destroy();
    throw new VeilError(ErrorCode.ModelDownload, `download of ${url} broke off after ${received} bytes: ${causeOf(error, signal)}`);
  }
  return hash.digest('hex');
}

function causeOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return (signal.reason as Error).message;
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ?? (error as Error).message ?? String(error);
}
