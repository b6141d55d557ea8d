/**
 * The daemon's open datasets: one ReviewStore and one Reconciler (which follows the audit log) per real root. Datasets
 * opened for review or listed (`watch`) are watched, so that changes other processes make reach the client as
 * `review/changed` within about a second.
 */
import { filesInCommit } from '../commit/journal';
import { watch } from 'node:fs';
import type { ImageRecord } from '../protocol';
import { ReviewStore } from '../review/store';
import { Reconciler } from './reconcile';
import { AuditFollower } from '../audit/follower';
import { locateDataset } from '../dataset/locate';
import type { ScanPlace } from '../dataset/scan';
import { LAYOUT, veilDir } from '../dataset/layout';
import { writeIgnoreFiles } from '../dataset/versionControl';

/** Debounce of file-system events (a detect batch appends hundreds of lines a second). */
const WATCH_DEBOUNCE_MS = 100;
/** Fallback poll: file-system events are not delivered on every file system (network mounts). */
const POLL_MS = 1000;

export type ReviewChangedListener = (root: string, records: ImageRecord[]) => void;

export interface OpenDataset {
  root: string;
  /** The folder asked for, relative to `root` ('' for the whole dataset). */
  scope: string;
  store: ReviewStore;
  reconciler: Reconciler;
}

export class OpenDatasets {
  private readonly opened = new Map<string, Promise<Omit<OpenDataset, 'scope'>>>();
  /** Roots being watched: for the daemon's lifetime (the watcher and the poll do not keep it alive). */
  private readonly watched = new Set<string>();
  private readonly followers = new Map<string, AuditFollower>();

  constructor(private readonly onReviewChanged: ReviewChangedListener = () => undefined) {}

  /**
   * The dataset `folder` belongs to (its real root, and the folder's place in it: see locateDataset) and its
   * review store and reconciler, made once per daemon; `watch` starts reporting outside changes.
   */
  async open(folder: string, options: { watch?: boolean } = {}): Promise<OpenDataset> {
    const { root: real, scope } = locateDataset(folder);
    let opening = this.opened.get(real);
    if (!opening) {
      // The ignore files first: before anything transient (a rendition, a journal) is written into .veil/.
      opening = writeIgnoreFiles(real)
        .then(() => ReviewStore.open(real, filesInCommit))
        .then((store) => ({ root: real, store, reconciler: new Reconciler(real, store, this.audit(real)) }));
      this.opened.set(real, opening);
      opening.catch(() => this.opened.delete(real));
    }
    const opened = await opening;
    if (options.watch && !this.watched.has(real)) this.watch(real, opened.store);
    return { ...opened, scope };
  }

  /**
   * `open`, with the store caught up and the dataset scanned by `scan` (scan.ts) at the same time: in the daemon the
   * walk runs in its scan worker while this thread reads the review state. One after the other, a new daemon's
   * `dataset/open` of 100,000 images spent 1.0 s reading the state, then 0.58 s waiting for the walk.
   */
  async openScanned<T>(folder: string, scan: (root: string, scope: string, place: ScanPlace) => Promise<T>, options: { watch?: boolean } = {}): Promise<OpenDataset & { scanned: T }> {
    const { root, scope } = locateDataset(folder);
    const [scanned, opened] = await Promise.all([
      scan(root, scope, 'beside'),
      this.open(folder, options).then(async (opened) => {
        await opened.store.refresh();
        return opened;
      }),
    ]);
    return { ...opened, scanned };
  }

  /**
   * The daemon's one follower of the audit log of the dataset at `root` (its real root): its reconcile and every
   * opening of an original read only what was appended since the last read. Opening the review store is not needed
   * (an opening reads no review state).
   */
  audit(root: string): AuditFollower {
    let follower = this.followers.get(root);
    if (!follower) {
      follower = new AuditFollower(root);
      this.followers.set(root, follower);
    }
    return follower;
  }

  private watch(root: string, store: ReviewStore): void {
    store.onChange((records) => this.onReviewChanged(root, records));
    let timer: NodeJS.Timeout | undefined;
    const refresh = () => {
      timer = undefined;
      store.refresh().catch((error: Error) => process.stderr.write(`[veil-daemon] review state of ${root}: ${error.message}\n`));
    };
    const soon = () => {
      timer ??= setTimeout(refresh, WATCH_DEBOUNCE_MS);
    };
    try {
      const watcher = watch(veilDir(root), (_event, name) => {
        if (name === LAYOUT.reviewLog || name === LAYOUT.reviewSnapshot) soon();
      });
      watcher.on('error', () => undefined);
      watcher.unref();
    } catch {
      // No file-system events here: the poll below still notices changes within a second.
    }
    setInterval(soon, POLL_MS).unref();
    this.watched.add(root);
  }
}
