/**
 * The review webview for one dataset: serves its page, answers its typed messages with daemon calls,
 * and keeps it in step with the daemon's review state. Images travel as webview URIs, never as pixels.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ReviewChangedParams } from '../daemon/protocol';
import { renderWebviewHtml } from '../webview/html';
import {
  browserDecodes,
  DatasetLoad,
  DisplayCopy,
  ErrorMessage,
  ImageShow,
  RecordUpdated,
  ReviewRefused,
  ReviewUpdate,
  SettingsChanged,
  Thumbnails,
  isWebviewToExtensionMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type ExtensionToWebviewMessage,
  type MessageOf,
  type WebviewToExtensionMessage,
} from '../webview/protocol';
import { redactionSettings } from './config';
import { DisposableScope } from './disposables';
import { causeOf, userMessage } from './errors';

const THUMBNAIL_SIZE = 160;
/** Edits the review panels saved (their daemon sends no `review/changed` for its own writes): the Veil view follows them. */
const savedRecords = new vscode.EventEmitter<ReviewChangedParams>();

export class ReviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReviewPanel>();
  private readonly scope = new DisposableScope();
  private ready = false;
  /** The webview holds the dataset (a `dataset/load` was posted since it was last ready). */
  private loaded = false;
  /** An image to show once the webview holds the dataset (showImage before that). */
  private requestedFile: string | undefined;
  private followed: DaemonClient | undefined;
  /** The last edit sent to the daemon per image, and the revision it got (undefined: refused). */
  private readonly saving = new Map<string, { seq: number; revision: Promise<number | undefined> }>();
  private unfollow: (() => void) | undefined;
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

  static readonly onDidSaveRecords = savedRecords.event;

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
        if (!panel.visible) this.ready = this.loaded = false;
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

  /** A webview URI of a local file; `version` busts the webview's cache for files that change in place. */
  private fileUri(path: string, version?: string): string {
    const uri = this.panel.webview.asWebviewUri(vscode.Uri.file(path)).toString();
    return version === undefined ? uri : `${uri}?v=${encodeURIComponent(version)}`;
  }

  /** Forwards the daemon's `review/changed` for this dataset (changes made by the CLI, another window, a commit). */
  private follow(client: DaemonClient, root: string): void {
    if (this.followed === client) return;
    this.unfollow?.();
    this.followed = client;
    this.unfollow = client.onReviewChanged((change) => {
      if (change.root !== root) return;
      for (const record of change.records) this.post(RecordUpdated.create({ record }));
    });
  }

  /** Sends the whole dataset (entries, review records, settings) to the webview. */
  async reload(): Promise<void> {
    const client = await this.daemon();
    const opened = await client.request('dataset/open', { root: this.root });
    this.follow(client, opened.root);
    const entries = opened.files.map((entry) => {
      const version = `${entry.bytes}-${Math.round(entry.mtimeMs)}`;
      return { file: entry.file, imageUri: browserDecodes(entry.file) ? this.fileUri(join(opened.root, entry.file), version) : null, version, width: entry.width, height: entry.height };
    });
    this.post(DatasetLoad.create({ root: opened.root, entries, records: opened.records, settings: redactionSettings() }));
    this.loaded = this.ready;
    this.postRequestedImage();
    if (opened.failures.length > 0) {
      const list = opened.failures.map((f) => `${f.file}: ${f.message}`).join('; ');
      this.post(ErrorMessage.create({ message: `${opened.failures.length} image(s) cannot be shown: ${list}` }));
    }
  }

  /** Shows `file` (relative to the dataset), now or once the webview holds the dataset. */
  showImage(file: string): void {
    this.requestedFile = file;
    this.postRequestedImage();
  }

  private postRequestedImage(): void {
    if (!this.loaded || this.requestedFile === undefined) return;
    this.post(ImageShow.create({ file: this.requestedFile }));
    this.requestedFile = undefined;
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
        // A webview of another version (a stale bundle) would misread every message: refused, said once.
        if (message.version !== WEBVIEW_PROTOCOL_VERSION) {
          this.log.error(`the review webview speaks protocol ${message.version}, this extension ${WEBVIEW_PROTOCOL_VERSION}: reload the window`);
          void vscode.window.showErrorMessage(`Veil: the review panel is of another version (${message.version}, expected ${WEBVIEW_PROTOCOL_VERSION}). Reload the window.`);
          return;
        }
        this.ready = true;
        return this.reload();
      case 'review/update':
        return this.saveReview(message);
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

  /**
   * Saves one webview edit. An edit made on top of an unconfirmed one (`afterSeq`) waits for it and is made on
   * the revision it got; when that one was refused, so is this one (it was built on a state that was not saved).
   */
  private saveReview(edit: MessageOf<typeof ReviewUpdate>): Promise<void> {
    const previous = edit.afterSeq === undefined ? undefined : this.saving.get(edit.file);
    const done = this.store(edit, previous?.seq === edit.afterSeq ? previous?.revision : Promise.resolve(undefined));
    this.saving.set(edit.file, { seq: edit.seq, revision: done });
    return done.then(() => undefined);
  }

  private async store({ file, boxes, status, baseRevision, afterSeq, seq }: MessageOf<typeof ReviewUpdate>, previous: Promise<number | undefined> | undefined): Promise<number | undefined> {
    try {
      let base = baseRevision;
      if (afterSeq !== undefined) {
        const stored = await previous;
        if (stored === undefined) throw new Error('an earlier edit of this image was not saved');
        base = stored;
      }
      const client = await this.daemon();
      const record = await client.request('review/update', { root: this.root, file, boxes, status, baseRevision: base });
      this.post(RecordUpdated.create({ record, seq }));
      savedRecords.fire({ root: this.root, records: [record] });
      return record.revision;
    } catch (error) {
      // The webview goes back to the daemon's state (when the daemon can say it) and says why the edit was refused.
      const current = await this.daemon()
        .then((client) => client.request('review/get', { root: this.root, file }))
        .catch(() => undefined);
      this.log.warn(`review edit of ${file} not saved: ${userMessage(error)}`);
      this.post(ReviewRefused.create({ file, seq, message: userMessage(error), ...(current ? { record: current } : {}) }));
      return undefined;
    }
  }

  private async sendThumbnails(files: string[]): Promise<void> {
    const client = await this.daemon();
    const thumbs: Record<string, string> = {};
    await Promise.all(
      files.map(async (file) => {
        const { path } = await client.request('image/thumbnail', { root: this.root, file, size: THUMBNAIL_SIZE }).catch(() => ({ path: '' }));
        if (path) thumbs[file] = this.fileUri(path);
      }),
    );
    this.post(Thumbnails.create({ thumbs }));
  }

  private async sendDisplayCopy(file: string): Promise<void> {
    const client = await this.daemon();
    try {
      const { path } = await client.request('image/displayCopy', { root: this.root, file });
      this.post(DisplayCopy.create({ file, uri: this.fileUri(path) }));
    } catch (error) {
      this.post(DisplayCopy.create({ file, error: causeOf(error) }));
    }
  }

  dispose(): void {
    ReviewPanel.open.delete(this.root);
    this.unfollow?.();
    this.scope.dispose();
    this.panel.dispose();
  }

  /** Every open review loads its dataset again (after a daemon restart: the new daemon knows nothing of them). */
  static async reloadAll(): Promise<void> {
    await Promise.all(
      [...ReviewPanel.open.values()].map((panel) =>
        panel.reload().catch((error: unknown) => {
          panel.log.error(`review of ${panel.root} could not reload: ${userMessage(error)}`);
          panel.post(ErrorMessage.create({ message: userMessage(error) }));
        }),
      ),
    );
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
