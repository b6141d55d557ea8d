/**
 * Brings the review panels back after a window reload: VS Code saves each open `veil.review` panel with the state its
 * webview last saved (the folder reviewed, the image, zoom and selection) and, on the next start, activates Veil
 * (`onWebviewPanel:veil.review`) and hands each panel to this serializer, which opens its folder again.
 */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import { savedReviewFolder } from '../webview/protocol';
import { REVIEW_VIEW_TYPE, ReviewPanel } from './reviewPanel';

export interface ReviewRestoreDeps {
  extensionUri: vscode.Uri;
  daemon: () => Promise<DaemonClient>;
  log: vscode.LogOutputChannel;
  /** The folder of a restored review: listed in the Veil view, as the review command lists the folders it opens. */
  track(folder: string): void;
}

export function registerReviewPanelSerializer(deps: ReviewRestoreDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state) {
      const folder = savedReviewFolder(state);
      if (folder === undefined) {
        // Saved before its webview said which folder it showed (it had not loaded yet): nothing to bring back.
        deps.log.info('a review panel saved without its folder was closed');
        panel.dispose();
        return;
      }
      if (ReviewPanel.restore(panel, folder, deps.extensionUri, deps.daemon, deps.log)) deps.track(folder);
    },
  });
}
