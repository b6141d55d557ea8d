/**
 * The review webview for one dataset: serves its page, answers its typed messages with daemon calls,
 * and keeps it in step with the daemon's review state. Images travel as webview URIs, never as pixels.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../daemon/client';
import type { Box, ReviewUpdateParams } from '../daemon/protocol';
import { renderWebviewHtml } from '../webview/html';
import {
  browserDecodes,
  DatasetLoad,
  DisplayCopy,
  ErrorMessage,
  RecordUpdated,
  SettingsChanged,
  Thumbnails,
  isWebviewToExtensionMessage,
  type ExtensionToWebviewMessage,
  type WebviewToExtensionMessage,
} from '../webview/protocol';
import { redactionSettings } from './config';
import { DisposableScope } from './disposables';
import { causeOf, userMessage } from './errors';

const THUMBNAIL_SIZE = 160;
type ReviewStatus = NonNullable<ReviewUpdateParams['status']>;

export class ReviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReviewPanel>();
  private readonly scope = new DisposableScope();
  private ready = false;
  /** The image the person is looking at (commands act on it). */
  currentFile: string | undefined;

  static show(root: string, extensionUri: vscode.Uri, daemon: () => Promise<DaemonClient>, log: vscode.LogOutputChannel): ReviewPanel {
    const existing = ReviewPanel.open.get(root);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('veil.review', `Veil: ${root.split(/[\\/]/).pop()}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.file(root), vscode.Uri.joinPath(extensionUri, 'dist')],
    });
    const created = new ReviewPanel(panel, root, extensionUri, daemon, log);
    ReviewPanel.open.set(root, created);
    return created;
  }

  /** Panels whose dataset is `root` or lies inside it, to reload after a commit or detection. */
  static forRoot(root: string): ReviewPanel | undefined {
    return ReviewPanel.open.get(root);
  }

  static active(): ReviewPanel | undefined {
    return [...ReviewPanel.open.values()].find((panel) => panel.panel.active);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly root: string,
    private readonly extensionUri: vscode.Uri,
    private readonly daemon: () => Promise<DaemonClient>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    panel.webview.html = this.html();
    this.scope.add(panel.webview.onDidReceiveMessage((message) => void this.receive(message)));
    this.scope.add(panel.onDidDispose(() => this.dispose()));
    this.scope.add(
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down and sends `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
    );
    this.scope.add(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('veil.redaction') || event.affectsConfiguration('veil.review')) {
          this.post(SettingsChanged.create({ settings: redactionSettings() }));
        }
      }),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', name)).toString();
    return renderWebviewHtml({ cspSource: webview.cspSource, nonce: randomBytes(16).toString('base64'), scriptUri: dist('webview.js'), styleUri: dist('webview.css') });
  }

  private post(message: ExtensionToWebviewMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private fileUri(path: string, version: number): string {
    return `${this.panel.webview.asWebviewUri(vscode.Uri.file(path)).toString()}?v=${Math.round(version)}`;
  }

  /** Sends the whole dataset (entries, review records, settings) to the webview. */
  async reload(): Promise<void> {
    const client = await this.daemon();
    const opened = await client.request('dataset/open', { root: this.root });
    const entries = opened.files.map((entry) => ({
      file: entry.file,
      imageUri: browserDecodes(entry.file) ? this.fileUri(join(opened.root, entry.file), entry.mtimeMs) : null,
      width: entry.width,
      height: entry.height,
    }));
    this.post(DatasetLoad.create({ root: opened.root, entries, records: opened.records, settings: redactionSettings() }));
    if (opened.failures.length > 0) {
      const list = opened.failures.map((f) => `${f.file}: ${f.message}`).join('; ');
      this.post(ErrorMessage.create({ message: `${opened.failures.length} image(s) cannot be shown: ${list}` }));
    }
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewToExtensionMessage(message)) {
      this.log.warn(`review webview sent an unknown message: ${JSON.stringify(message).slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      this.log.error(`review webview ${message.type}: ${userMessage(error)}`);
      this.post(ErrorMessage.create({ message: userMessage(error) }));
    }
  }

  private async handle(message: WebviewToExtensionMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.reload();
      case 'review/update':
        return this.saveReview(message.file, message.boxes, message.status, message.seq);
      case 'thumbnails/request':
        return this.sendThumbnails(message.files);
      case 'displayCopy/request':
        return this.sendDisplayCopy(message.file);
      case 'image/open':
        this.currentFile = message.file;
        return;
      case 'redaction/mode':
        return vscode.workspace.getConfiguration('veil').update('redaction.mode', message.mode, vscode.ConfigurationTarget.Global);
      case 'error/report':
        this.log.warn(`review webview: ${message.message}`);
        return;
      default:
        assertNever(message);
    }
  }

  private async saveReview(file: string, boxes: Box[], status: ReviewStatus | undefined, seq: number): Promise<void> {
    const client = await this.daemon();
    try {
      const record = await client.request('review/update', { root: this.root, file, boxes, status });
      this.post(RecordUpdated.create({ record, seq }));
    } catch (error) {
      // Put the webview back on the daemon's state, then say why the change was refused.
      const record = await client.request('review/get', { root: this.root, file }).catch(() => undefined);
      if (record) this.post(RecordUpdated.create({ record }));
      throw error;
    }
  }

  private async sendThumbnails(files: string[]): Promise<void> {
    const client = await this.daemon();
    const thumbs: Record<string, string> = {};
    await Promise.all(
      files.map(async (file) => {
        const { path } = await client.request('image/thumbnail', { root: this.root, file, size: THUMBNAIL_SIZE }).catch(() => ({ path: '' }));
        if (path) thumbs[file] = this.fileUri(path, 0);
      }),
    );
    this.post(Thumbnails.create({ thumbs }));
  }

  private async sendDisplayCopy(file: string): Promise<void> {
    const client = await this.daemon();
    try {
      const { path } = await client.request('image/displayCopy', { root: this.root, file });
      this.post(DisplayCopy.create({ file, uri: this.fileUri(path, 0) }));
    } catch (error) {
      this.post(DisplayCopy.create({ file, error: causeOf(error) }));
    }
  }

  dispose(): void {
    ReviewPanel.open.delete(this.root);
    this.scope.dispose();
    this.panel.dispose();
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
