/**
 * The datasets the Veil view shows — every folder of the workspace whose `.veil/` holds a review state or an audit
 * log, and every folder opened with Veil in this session — and what the daemon says of each (DatasetSnapshot).
 * Each is read whole with `dataset/status` (each image's status without its boxes; it also makes the daemon watch
 * the dataset) when found, when a batch of this window ends and after a daemon restart; in between it is kept current
 * from `review/changed` (other processes), the review panel's saved edits, and the images a running batch reports
 * (its own writes send no `review/changed`). Only finding a dataset (or a person's refresh) starts the daemon;
 * refreshes in the background wait for it. The counts of each read are remembered in the workspace state: a window
 * opened again shows them at once, until it has read the datasets itself (10,000 images: 0.6 s on a daemon just
 * started, on the shared 2-core machine: bench/viewCounts.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ImageRecord, ReviewChangedParams } from '../daemon/protocol';
import { DatasetSnapshot, type DatasetCounts } from './datasetSnapshot';
import { DisposableScope } from './disposables';
import { userMessage } from './errors';
import { realPath } from './realPath';
import { Throttle } from './throttle';

/** Files whose presence makes a `.veil/` folder a dataset's (the daemon's rule: the model home ~/.veil has none). */
const DATASET_MARKERS = ['review.json', 'review.jsonl', 'audit.jsonl'];
const DATASET_MARKER_GLOB = `**/.veil/{${DATASET_MARKERS.join(',')}}`;
/**
 * How often the images a running batch reported are read again. A commit reports an image as it starts it, so each
 * reported image is read at two ticks (the one after the report and the next).
 */
const BATCH_REFRESH_MS = 500;
/** `review/get` calls in flight at once while reading a batch's images. */
const READ_CONCURRENCY = 8;
/** Workspace-state key of the counts last read, by dataset root. */
const REMEMBERED_COUNTS = 'veil.datasets.counts';

/** What the commands tell the index: which dataset they work on, each image a batch reports, and its end. */
export interface DatasetActivity {
  /** A folder opened with Veil: listed from now on (with its dataset when it lies in one). */
  track(folder: string): void;
  progressed(folder: string, file: string | undefined): void;
  /** The batch ended (done, failed or cancelled): the dataset is read whole again. */
  settled(folder: string): void;
}

/** The daemon as the index uses it: started to count a dataset it has not read yet, never for background refreshes. */
export interface DaemonAccess {
  client(): Promise<DaemonClient>;
  runningClient(): DaemonClient | undefined;
}

export interface DatasetView {
  /** The dataset root (the daemon's: the real path). */
  root: string;
  /** Undefined until the first `dataset/status` of this window answered. */
  snapshot: DatasetSnapshot | undefined;
  /** The counts now: the snapshot's, or those an earlier window read (until this one has read the dataset). */
  counts(): DatasetCounts | undefined;
  /** Why the last `dataset/status` failed. */
  error: string | undefined;
}

class TrackedDataset implements DatasetView {
  snapshot: DatasetSnapshot | undefined;
  error: string | undefined;
  loading: Promise<void> | undefined;
  loadAgain = false;
  /** Records heard while a `dataset/status` was under way: its answer may be older, so they are applied to it again. */
  heardWhileLoading: ImageRecord[] | undefined;
  /** Images a batch reported since the last tick, and those of the tick before. */
  reported = new Set<string>();
  reportedBefore = new Set<string>();

  constructor(
    readonly root: string,
    private readonly remembered?: DatasetCounts,
  ) {}

  counts(): DatasetCounts | undefined {
    return this.snapshot?.counts() ?? this.remembered;
  }
}

export class DatasetIndex implements vscode.Disposable, DatasetActivity {
  private readonly datasets = new Map<string, TrackedDataset>();
  private readonly scope = new DisposableScope();
  private readonly changed = this.scope.add(new vscode.EventEmitter<string | undefined>());
  /** A dataset's root whose state changed, or undefined when the list of datasets did. */
  readonly onDidChange = this.changed.event;
  private readonly batchTicks = this.scope.add(new Throttle(BATCH_REFRESH_MS, () => this.readReported()));
  private discovery: Promise<void> | undefined;
  private followed: DaemonClient | undefined;
  private stopFollowing: (() => void) | undefined;
  /** Datasets remembered from an earlier window that this one has not found (yet): dropped when the search ends. */
  private readonly unconfirmed = new Set<string>();

  constructor(
    private readonly daemon: DaemonAccess,
    private readonly log: vscode.LogOutputChannel,
    private readonly memory: vscode.Memento,
  ) {
    for (const [root, counts] of Object.entries(memory.get<Record<string, DatasetCounts>>(REMEMBERED_COUNTS, {}))) {
      if (!existsSync(root) || typeof counts?.images !== 'number') continue;
      // `excluded` is counted since a later version: counts remembered before it have none.
      this.datasets.set(root, new TrackedDataset(root, { ...counts, excluded: counts.excluded ?? 0 }));
      this.unconfirmed.add(root);
    }
  }

  /** Finds the workspace's datasets (once) and keeps finding new ones; settles when the first search did. */
  discover(): Promise<void> {
    this.discovery ??= (async () => {
      const watcher = this.scope.add(vscode.workspace.createFileSystemWatcher(DATASET_MARKER_GLOB, false, true, false));
      this.scope.add(watcher.onDidCreate((marker) => this.track(dirname(dirname(marker.fsPath)))));
      this.scope.add(watcher.onDidDelete((marker) => this.forgetIfNoDataset(dirname(dirname(marker.fsPath)))));
      try {
        const markers = await vscode.workspace.findFiles(DATASET_MARKER_GLOB, '**/node_modules/**');
        for (const marker of markers) this.track(dirname(dirname(marker.fsPath)));
      } catch (error) {
        this.log.warn(`Veil view: the workspace could not be searched for datasets: ${userMessage(error)}`);
      }
      for (const root of this.unconfirmed) this.datasets.delete(root);
      if (this.unconfirmed.size > 0) this.changed.fire(undefined);
      this.unconfirmed.clear();
    })();
    return this.discovery;
  }

  /** The datasets, by path. */
  all(): DatasetView[] {
    return [...this.datasets.values()].sort((a, b) => a.root.localeCompare(b.root));
  }

  get(root: string): DatasetView | undefined {
    return this.datasets.get(root);
  }

  track(folder: string): void {
    const real = realPath(folder);
    if (real === undefined) return;
    const listed = this.containing(real);
    if (listed) {
      this.unconfirmed.delete(listed.root);
      // Listed from an earlier window's counts, or its last read failed: read now.
      if (!listed.snapshot && !listed.loading) void this.load(listed.root, { start: true });
      return;
    }
    this.datasets.set(real, new TrackedDataset(real));
    this.changed.fire(undefined);
    void this.load(real, { start: true });
  }

  progressed(folder: string, file: string | undefined): void {
    const dataset = this.datasetOf(folder);
    if (!dataset) return this.track(folder);
    if (file !== undefined) dataset.reported.add(file);
    this.batchTicks.request();
  }

  settled(folder: string): void {
    const dataset = this.datasetOf(folder);
    if (!dataset) return this.track(folder);
    void this.load(dataset.root, { start: false });
  }

  /** Records the review panel of this window saved (its daemon sends no `review/changed` for them). */
  saved({ root, records }: ReviewChangedParams): void {
    const dataset = this.datasetOf(root);
    if (dataset) this.heard(dataset, records);
  }

  /**
   * Every dataset read whole again: after a daemon restart (the new daemon watches none of them yet), or asked for
   * (`start`: a person did, the daemon may be started).
   */
  reloadAll(options: { start: boolean }): Promise<void> {
    return Promise.all([...this.datasets.keys()].map((root) => this.load(root, options))).then(() => undefined);
  }

  /** The root of the listed dataset that `folder` is or lies in. */
  rootOf(folder: string): string | undefined {
    return this.datasetOf(folder)?.root;
  }

  /** The tracked dataset `folder` is or lies in (the innermost, should datasets nest). */
  private datasetOf(folder: string): TrackedDataset | undefined {
    const real = realPath(folder);
    return real === undefined ? undefined : this.containing(real);
  }

  private containing(real: string): TrackedDataset | undefined {
    let found: TrackedDataset | undefined;
    for (const dataset of this.datasets.values()) {
      const inside = real === dataset.root || real.startsWith(dataset.root.endsWith(sep) ? dataset.root : dataset.root + sep);
      if (inside && (!found || dataset.root.length > found.root.length)) found = dataset;
    }
    return found;
  }

  private forgetIfNoDataset(root: string): void {
    if (DATASET_MARKERS.some((name) => existsSync(join(root, '.veil', name)))) return;
    if (this.datasets.delete(realPath(root) ?? root)) this.changed.fire(undefined);
  }

  /**
   * One `dataset/status` at a time per dataset; asked again meanwhile, it runs once more after. Without `start` it
   * waits for a daemon that is not running (the next start reads every dataset again).
   */
  private load(root: string, { start }: { start: boolean }): Promise<void> {
    const dataset = this.datasets.get(root);
    if (!dataset || (!start && !this.daemon.runningClient())) return Promise.resolve();
    if (dataset.loading) {
      dataset.loadAgain = true;
      return dataset.loading;
    }
    dataset.heardWhileLoading = [];
    dataset.loading = this.open(dataset).finally(() => {
      dataset.loading = undefined;
      dataset.heardWhileLoading = undefined;
      this.changed.fire(dataset.root);
      if (dataset.loadAgain && this.datasets.get(root) === dataset) {
        dataset.loadAgain = false;
        void this.load(root, { start: false });
      }
    });
    return dataset.loading;
  }

  private async open(dataset: TrackedDataset): Promise<void> {
    const started = performance.now();
    try {
      const client = await this.daemon.client();
      this.follow(client);
      const answer = await client.request('dataset/status', { root: dataset.root });
      if (answer.root !== dataset.root) {
        // A folder inside a dataset: the view lists that dataset instead.
        this.datasets.delete(dataset.root);
        this.changed.fire(undefined);
        this.track(answer.root);
        return;
      }
      const snapshot = DatasetSnapshot.fromStatus(answer);
      for (const record of dataset.heardWhileLoading ?? []) snapshot.apply(record);
      dataset.snapshot = snapshot;
      dataset.error = undefined;
      this.remember();
      this.log.info(`Veil view: ${snapshot.counts().images} images of ${dataset.root} read in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      dataset.error = userMessage(error);
      this.log.warn(`Veil view: ${dataset.root}: ${dataset.error}`);
    }
  }

  /** The counts of every dataset of the workspace read, for the next window (folders opened with Veil are of this session). */
  private remember(): void {
    const inWorkspace = (root: string) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)) !== undefined;
    const read = this.all().filter((dataset) => dataset.snapshot && inWorkspace(dataset.root));
    const counts = Object.fromEntries(read.map((dataset) => [dataset.root, dataset.counts()]));
    this.memory.update(REMEMBERED_COUNTS, counts).then(undefined, (error: unknown) => this.log.warn(`Veil view: counts not remembered: ${userMessage(error)}`));
  }

  /** Follows `review/changed` of the running daemon (a restarted one is a new client). */
  private follow(client: DaemonClient): void {
    if (this.followed === client) return;
    this.stopFollowing?.();
    this.followed = client;
    this.stopFollowing = client.onReviewChanged(({ root, records }) => {
      const dataset = this.datasets.get(root);
      if (dataset) this.heard(dataset, records);
    });
  }

  private heard(dataset: TrackedDataset, records: ImageRecord[]): void {
    dataset.heardWhileLoading?.push(...records);
    const snapshot = dataset.snapshot;
    if (!snapshot) return;
    let changed = false;
    for (const record of records) changed = snapshot.apply(record) || changed;
    if (changed) this.changed.fire(dataset.root);
  }

  /** One tick of a running batch: its reported images read again with `review/get`. */
  private async readReported(): Promise<void> {
    let again = false;
    for (const dataset of this.datasets.values()) {
      const files = [...new Set([...dataset.reportedBefore, ...dataset.reported])];
      dataset.reportedBefore = dataset.reported;
      dataset.reported = new Set();
      again ||= dataset.reportedBefore.size > 0;
      if (files.length > 0) this.heard(dataset, await this.readRecords(dataset.root, files));
    }
    if (again) this.batchTicks.request();
  }

  private async readRecords(root: string, files: string[]): Promise<ImageRecord[]> {
    const records: ImageRecord[] = [];
    const client = this.daemon.runningClient();
    if (!client) return records; // stopped or restarting: the restart reads every dataset again
    let next = 0;
    const reader = async () => {
      while (next < files.length) {
        const file = files[next++];
        // An image the batch failed on has no record (yet), and a daemon gone has none to give: shown when the batch ends.
        const record = await client.request('review/get', { root, file }).catch(() => undefined);
        if (record) records.push(record);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, reader));
    return records;
  }

  dispose(): void {
    this.stopFollowing?.();
    this.scope.dispose();
  }
}
