/** A long daemon call under a cancellable progress notification: the bar follows `$/progress`, Cancel sends `$/cancelRequest`. */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ProgressParams } from '../daemon/protocol';

export type DaemonWork<T> = (client: DaemonClient, options: { signal: AbortSignal; onProgress: (p: ProgressParams) => void }) => Promise<T>;

export interface ProgressOptions {
  /** What the notification says at each report; default "done/total file", or the daemon's words when it counts nothing. */
  describe?: (progress: ProgressParams) => string;
  /** Told of each report too (the Veil view follows a batch's images). */
  onReport?: (progress: ProgressParams) => void;
}

function counted({ done, total, file, message }: ProgressParams): string {
  // Nothing to count (total 0): the daemon's own words say what it is doing.
  return total > 0 ? `${done}/${total}${file ? ` ${file}` : ''}` : (message ?? '');
}

export function withDaemonProgress<T>(daemon: { client(): Promise<DaemonClient> }, title: string, work: DaemonWork<T>, options: ProgressOptions = {}): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    const onProgress = (update: ProgressParams) => {
      const percent = update.total > 0 ? (update.done / update.total) * 100 : 0;
      progress.report({ increment: percent - reported, message: (options.describe ?? counted)(update) });
      reported = percent;
      options.onReport?.(update);
    };
    return work(await daemon.client(), { signal: controller.signal, onProgress });
  });
}
