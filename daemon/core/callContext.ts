/**
 * What every RPC handler, and the services it calls, receives besides its params: cancellation, progress and who is
 * calling. Below the server (daemon/rpc/server.ts builds one per request), so domain modules never import the server.
 */
import { ErrorCode, type ProgressParams } from '../protocol';
import { VeilError } from '../errors';

export class CancellationToken {
  private readonly controller = new AbortController();
  get isCancelled(): boolean {
    return this.controller.signal.aborted;
  }
  /** Aborted on cancel: for work that waits on I/O (a download) instead of checking between steps. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  cancel(): void {
    this.controller.abort();
  }
  /** Throws the protocol's Cancelled error when cancellation was asked for. */
  throwIfCancelled(): void {
    if (this.isCancelled) throw new VeilError(ErrorCode.Cancelled, 'cancelled');
  }
}

export interface CallContext {
  readonly token: CancellationToken;
  /** Sends `$/progress` when the caller passed a progressToken; a no-op otherwise. */
  progress(update: Omit<ProgressParams, 'token'>): void;
  /** OS user and configured reviewer name of the client, for review state and audit entries. */
  readonly actor: Actor;
  /**
   * Resolves once this call's answer has been handed to the OS. A long answer leaves for a pipe 64 KB per turn of the
   * event loop (28 MB for `dataset/open` of 100,000 images): work started beside it that blocks the loop stretches it
   * (the reconcile begun right after that answer made it 2.4–3.5 s instead of 2.4 s on the quiet machine).
   */
  readonly answered: Promise<void>;
}

export interface Actor {
  osUser: string;
  reviewer: string;
}
