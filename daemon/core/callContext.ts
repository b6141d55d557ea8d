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
}

export interface Actor {
  osUser: string;
  reviewer: string;
}
