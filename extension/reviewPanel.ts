/**
 * The review webview for one dataset: serves its page, answers its typed messages with daemon calls,
 * and keeps it in step with the daemon's review state. Images travel as webview URIs, never as pixels.
 * One panel per folder reviewed (by real path): opening a second dataset opens a second panel, opening the same one
 * again reveals its panel. A panel VS Code brings back after a window reload is adopted with `restore`.
 */
import { randomBytes } from 'node:crypto';
import { basename, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ReviewChangedParams } from '../daemon/protocol';
import type { CommandId } from '../webview/commandCatalog';
import { renderWebviewHtml } from '../webview/html';
import {
  browserDecodes,
  DatasetLoad,
  DisplayCopy,
  ErrorMessage,
  ImageShow,
  RecordLoaded,
  RecordUpdated,
  ReviewAction,
  ReviewRefused,
  ReviewUpdate,
  SettingsChanged,
  Thumbnails,
  VideoProxy,
  VideoProxyProgress,
  isWebviewToExtensionMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type ExtensionToWebviewMessage,
  type MessageOf,
  type WebviewToExtensionMessage,
} from '../webview/protocol';
import { redactionSettings } from './config';
import { DisposableScope } from './disposables';
import { causeOf, userMessage } from './errors';
import { realPath } from './realPath';
import { setReviewFocus, setReviewItem } from './reviewKeybindings';

/** The panels' view type: VS Code saves them under it and asks its serializer to bring them back after a reload. */
export const REVIEW_VIEW_TYPE = 'veil.review';

const THUMBNAIL_SIZE = 160;
/** Edits the review panels saved (their daemon sends no `review/changed` for its own writes): the Veil view follows them. */
const savedRecords = new vscode.EventEmitter<ReviewChangedParams>();

export class ReviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReviewPanel>();
  private readonly scope = new DisposableScope();
  private ready = false;
  /** The webview holds the dataset (a `dataset/load` was posted since it was last ready). */
  private loaded = false;
  /** The path of an image to show once the webview holds the dataset (showImageFile before that). */
  private requestedPath: string | undefined;
  /** The dataset root of the last `dataset/open` (the folder reviewed or the dataset it lies in): webview files are relative to it. */
  private datasetRoot: string | undefined;
  private followed: DaemonClient | undefined;
  /** The last edit sent to the daemon per image, and the revision it got (undefined: refused). */
  private readonly saving = new Map<string, { seq: number; revision: Promise<number | undefined> }>();
  private unfollow: (() => void) | undefined;
  /** The image the person is looking at (commands act on it). */
  currentFile: string | undefined;

  /** The review of `folder`: its open panel revealed, or a new panel. */
  static show(folder: string, extensionUri: vscode.Uri, daemon: () => Promise<DaemonClient>, log: vscode.LogOutputChannel): ReviewPanel {
    const root = realPath(folder) ?? folder;
    const existing = ReviewPanel.open.get(root);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(REVIEW_VIEW_TYPE, panelTitle(root), vscode.ViewColumn.Active, webviewOptions(root, extensionUri));
    return ReviewPanel.adopt(panel, root, extensionUri, daemon, log);
  }

  /**
   * A panel VS Code brought back after a window reload, on the folder it reviewed: it gets its page again and, once
   * the webview is ready, the dataset (the webview restores its own image, zoom and selection). Undefined (the panel
   * closed) when the folder is gone or has an open review already.
   */
  static restore(panel: vscode.WebviewPanel, folder: string, extensionUri: vscode.Uri, daemon: () => Promise<DaemonClient>, log: vscode.LogOutputChannel): ReviewPanel | undefined {
    const root = realPath(folder);
    if (root === undefined || ReviewPanel.open.has(root)) {
      log.info(`review of ${folder} not restored: ${root === undefined ? 'the folder is gone' : 'it is open already'}`);
      panel.dispose();
      return undefined;
    }
    panel.webview.options = webviewOptions(root, extensionUri);
    panel.title = panelTitle(root);
    return ReviewPanel.adopt(panel, root, extensionUri, daemon, log);
  }

  private static adopt(panel: vscode.WebviewPanel, root: string, extensionUri: vscode.Uri, daemon: () => Promise<DaemonClient>, log: vscode.LogOutputChannel): ReviewPanel {
    const adopted = new ReviewPanel(panel, root, extensionUri, daemon, log);
    ReviewPanel.open.set(root, adopted);
    return adopted;
  }

  /** The open review of `folder`, to reload after a commit or detection. */
  static forRoot(folder: string): ReviewPanel | undefined {
    return ReviewPanel.open.get(realPath(folder) ?? folder);
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

  /** Sends the whole dataset (entries, their rows, settings) to the webview; it asks for the records it shows (`record/request`). */
  async reload(): Promise<void> {
    const client = await this.daemon();
    const opened = await client.request('dataset/open', { root: this.root });
    this.datasetRoot = opened.root;
    this.follow(client, opened.root);
    const entries = opened.files.map((entry) => {
      const version = `${entry.bytes}-${Math.round(entry.mtimeMs)}`;
      // A video (the entry has a duration) is played from its playable copy (`video/proxyRequest`), never loaded whole as an image.
      const isVideo = entry.durationS !== undefined;
      const imageUri = browserDecodes(entry.file) && !isVideo ? this.fileUri(join(opened.root, entry.file), version) : null;
      return { file: entry.file, imageUri, version, width: entry.width, height: entry.height };
    });
    this.post(DatasetLoad.create({ root: opened.root, folder: this.root, entries, rows: opened.rows, settings: redactionSettings() }));
    this.loaded = this.ready;
    this.postRequestedImage();
    if (opened.failures.length > 0) {
      const list = opened.failures.map((f) => `${f.file}: ${f.message}`).join('; ');
      this.post(ErrorMessage.create({ message: `${opened.failures.length} image(s) cannot be shown: ${list}` }));
    }
  }

  /** Shows the image at `path`, now or once the webview holds the dataset (which names it relative to the dataset root). */
  showImageFile(path: string): void {
    this.requestedPath = realPath(path) ?? path;
    this.postRequestedImage();
  }

  private postRequestedImage(): void {
    if (!this.loaded || this.requestedPath === undefined || this.datasetRoot === undefined) return;
    this.post(ImageShow.create({ file: relative(this.datasetRoot, this.requestedPath).split(sep).join('/') }));
    this.requestedPath = undefined;
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
      case 'record/request':
        return this.sendRecord(message.file);
      case 'image/open':
        this.currentFile = message.file;
        return setReviewItem(this, message.video === true ? 'video' : 'image');
      case 'video/proxyRequest':
        return this.sendVideoProxy(message.file);
      case 'focus/changed':
        return setReviewFocus(this, message.place);
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

  private async store({ file, boxes, tracks, status, baseRevision, afterSeq, seq }: MessageOf<typeof ReviewUpdate>, previous: Promise<number | undefined> | undefined): Promise<number | undefined> {
    try {
      let base = baseRevision;
      if (afterSeq !== undefined) {
        const stored = await previous;
        if (stored === undefined) throw new Error('an earlier edit of this image was not saved');
        base = stored;
      }
      const client = await this.daemon();
      const record = await client.request('review/update', { root: this.root, file, boxes, status, baseRevision: base, ...(tracks ? { tracks } : {}) });
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

  /** The boxes of an image the webview shows (it was sent the dataset's rows only). A failure is said by `receive`. */
  private async sendRecord(file: string): Promise<void> {
    const client = await this.daemon();
    this.post(RecordLoaded.create({ record: await client.request('review/get', { root: this.root, file }) }));
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
    // A daemon that cannot start is this copy's failure too: the webview stops waiting for it, and asks again later.
    try {
      const client = await this.daemon();
      const { path } = await client.request('image/displayCopy', { root: this.root, file });
      this.post(DisplayCopy.create({ file, uri: this.fileUri(path) }));
    } catch (error) {
      this.post(DisplayCopy.create({ file, error: causeOf(error) }));
    }
  }

  /** A video's playable copy (the daemon makes it once, under `.veil/display`, inside the folder the webview may read). */
  private async sendVideoProxy(file: string): Promise<void> {
    let percent = -1;
    // Said once per percent: the webview shows how far the copy of a long video is.
    const onProgress = ({ done, total }: { done: number; total: number }) => {
      const now = Math.floor((100 * done) / Math.max(1, total));
      if (now === percent || total <= 0) return;
      percent = now;
      this.post(VideoProxyProgress.create({ file, done, total }));
    };
    try {
      const client = await this.daemon();
      const { path, width, height, fps, frames } = await client.request('video/displayCopy', { root: this.root, file }, { onProgress });
      this.post(VideoProxy.create({ file, uri: this.fileUri(path), width, height, fps, frames }));
    } catch (error) {
      this.post(VideoProxy.create({ file, error: causeOf(error) }));
    }
  }

  /** Runs a review action in the webview (one of the review's keybindings, or the palette, ran its command). */
  postAction(action: CommandId, large: boolean): void {
    this.post(ReviewAction.create({ action, large }));
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

function panelTitle(root: string): string {
  return `Veil: ${basename(root)}`;
}

/** Scripts for the page; files from the folder reviewed and from the extension's bundle. */
function webviewOptions(root: string, extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.file(root), vscode.Uri.joinPath(extensionUri, 'dist')] };
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
