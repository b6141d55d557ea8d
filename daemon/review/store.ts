/**
 * The review state of one dataset, shared by every process that works on it (the editor's daemon, each CLI
 * run, a second window). Two files under `.veil/`:
 *
 * - `review.jsonl`, the log: one line per write, `{"seq":N,"records":[…]}`, appended and fsync'd while holding
 *   `.veil/review.lock`. Every record carries `revision` = the `seq` of the line that wrote it.
 * - `review.json`, the snapshot (lowdb): every record as of log line `seq`. When the log outgrows the snapshot
 *   it is folded in (compaction, under the lock) and the log starts again as a new, empty file.
 *
 * Every read-modify-write (`update`) runs under the lock on the latest state: it first reads what other
 * processes appended since this process last looked, so no one writes back a stale copy (the lost update of
 * issue #8). One box edit costs a lock, a tail read and one fsync'd append, whatever the dataset size.
 * Readers outside the lock (`refresh`) read only complete lines; a gap in `seq`, a replaced log or a new
 * snapshot sends them back to a full reload under the lock.
 */
import { mkdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { Low } from 'lowdb';
import { ErrorCode, imageRecordProblem, type ImageRecord } from '../protocol';
import { VeilError } from '../errors';
import { veilDir, veilPath, veilRelative } from '../dataset/layout';
import { acquireLock } from '../storage/lock';
import { syncDir, tempPathFor, writeSynced } from '../storage/durable';
import { DurableJsonFile } from '../storage/durableJsonFile';
import { openStateFile, readStateTextIfPresent } from '../storage/stateFile';
import { appendAuditBatch } from '../audit/log';
import { segmentRelative } from '../dataset/layout';
import type { AuditEvent } from '../audit/events';
import { applySegmentLine, closeAbandonedSegments, listSegments, readSegment, SEGMENT_START, type SegmentCursor, type SegmentLine } from './segments';

interface Snapshot {
  version: 2;
  /** The last log line folded into this snapshot. */
  seq: number;
  images: Record<string, ImageRecord>;
  /** Lines of each shard segment the log holds already (review/segments.ts); a segment deleted since is left out. */
  segments?: Record<string, number>;
}

interface LogLine {
  seq: number;
  records: ImageRecord[];
  /** A fold: the segments whose lines this line holds, and how many of each the log holds from here on. */
  folded?: Record<string, number>;
}

/** A segment as this process last read it: where it stopped, and its lines the log has not folded yet. */
interface SegmentState {
  cursor: SegmentCursor;
  lines: SegmentLine[];
  /** Why the lines after `cursor` are not read (verify reports it): they are neither merged nor folded. */
  problem?: string;
}

const NO_FILES: ReadonlySet<string> = new Set();

/** Identity of a file as last read: a change of any field means someone replaced or rewrote it. */
interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** How long a writer waits for another process's review write (each holds the lock for about a millisecond). */
const LOCK_WAIT_MS = 15_000;
/** The log is folded into the snapshot once it is larger than the snapshot and than this. */
const MIN_COMPACT_BYTES = 1 << 20;

export type ReviewChangeListener = (records: ImageRecord[]) => void;

/**
 * The files a running or interrupted commit holds (commit/journal.ts `filesInCommit`, given by whoever opens the store:
 * the commit is a workflow above this module). A fold leaves their detections out, as a detection group's write does.
 */
export type HeldFiles = (root: string) => Promise<ReadonlySet<string>>;

/** Whatever a write decided, and the records it wrote (with their new revisions). */
export type ReviewDecision<T> = { write: ImageRecord[]; result: T };

export class ReviewStore {
  private images = new Map<string, ImageRecord>();
  private seq = 0;
  private snapshotStamp: FileStamp | undefined;
  private logIno = -1;
  /** Bytes of the log already applied (always at a line boundary). */
  private logOffset = 0;
  private snapshotBytes = 0;
  /** In-process queue: one update at a time per process (the file lock orders processes). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<ReviewChangeListener>();
  /** Lines of each segment the log holds (from the snapshot and the log's folds). */
  private folded = new Map<string, number>();
  private segments = new Map<string, SegmentState>();
  /** The records as the segments' unfolded lines make them, merged on top of the log's with the fold's own rule. */
  private overlay = new Map<string, ImageRecord>();
  /** The files the unfolded lines name (a change of one in the log changes what the overlay holds of it). */
  private pendingFiles: ReadonlySet<string> = new Set();
  /**
   * Files the fold of the current write wrote exactly as this process showed them merged (their revision then): an
   * edit made on that view is made on what is stored now, though the stored revision is the fold's.
   */
  private foldedAsShown = new Map<string, number>();

  private constructor(
    readonly root: string,
    private readonly heldFiles: HeldFiles,
  ) {}

  /** The review log's path: what a caller shows as "where the review state lives". */
  get path(): string {
    return veilPath(this.root, 'reviewLog');
  }

  static async open(root: string, heldFiles: HeldFiles): Promise<ReviewStore> {
    await mkdir(veilDir(root), { recursive: true });
    const store = new ReviewStore(root, heldFiles);
    await store.locked(() => store.reload());
    return store;
  }

  /** Called with the records other processes changed, whenever this process notices them. */
  onChange(listener: ReviewChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The record as readers see it: the log's, with any shard segment's detections not folded yet merged in. */
  get(file: string): ImageRecord | undefined {
    return this.overlay.get(file) ?? this.images.get(file);
  }

  /** Every record as readers see it, or those of the files `only` keeps (sorting all 2,000 records cost a shard's reconcile 11 ms), by file. */
  records(only?: (file: string) => boolean): ImageRecord[] {
    const merged = this.overlay.size === 0 ? this.images : new Map([...this.images, ...this.overlay]);
    return sortedRecords(merged, only);
  }

  /**
   * The records of the log alone: what the audit chain explains entry by entry (the reconcile and verify check these;
   * a segment's lines are explained by its own chain until folded).
   */
  loggedRecords(only?: (file: string) => boolean): ImageRecord[] {
    return sortedRecords(this.images, only);
  }

  /** Catches up with what other processes wrote; returns the records that changed. Cheap when nothing did. */
  async refresh(): Promise<ImageRecord[]> {
    const changed = await this.serialized(() => this.catchUp(false));
    if (changed === 'reload') return this.locked(() => this.reload());
    return [...changed, ...(await this.serialized(() => this.readSegments(changed)))];
  }

  /**
   * Folds every segment line not folded yet into the log, waiting for the review lock (a shard's last step), or only
   * if the lock is free now (`wait: false`, between a shard's groups: it never waits on another writer mid-run).
   * Returns whether it folded (false: the lock was busy).
   */
  async fold({ wait = true } = {}): Promise<boolean> {
    try {
      await this.locked(async () => {
        if ((await this.catchUp(true)) === 'reload') await this.reload();
        await this.foldSegments();
        // A shard's last fold also closes the segments of shards that died: one try of each segment's lock, so not on
        // every write (on NFS each try is a few round trips to the server).
        if (wait) for (const id of await closeAbandonedSegments(this.root, (segment) => this.foldedLines(segment))) this.segments.delete(id);
      }, wait ? LOCK_WAIT_MS : 0);
      return true;
    } catch (error) {
      if (!wait && VeilError.is(error) && error.code === ErrorCode.Locked) return false;
      throw error;
    }
  }

  /**
   * Read-modify-write under the dataset's review lock: `decide` sees the latest records (`get`) and returns
   * the records to write; they are appended as one line and returned with their new revision, the one `decide` is
   * told (so that an audit line it appends first can name the revision it explains). Segment lines not folded yet are
   * folded first; `shownAs(file)` is the revision a reader of this process was shown for a file that fold wrote exactly
   * as shown (an edit made on that view is no conflict), undefined otherwise.
   */
  update<T>(
    decide: (get: (file: string) => ImageRecord | undefined, revision: number, shownAs: (file: string) => number | undefined) => ReviewDecision<T> | Promise<ReviewDecision<T>>,
  ): Promise<{ written: ImageRecord[]; result: T }> {
    return this.locked(async () => {
      const changed = await this.catchUp(true);
      if (changed === 'reload') await this.reload();
      // Segment lines first: every write lands after every segment line it could have seen, in one order for all.
      await this.foldSegments();
      const { write, result } = await decide((file) => this.images.get(file), this.seq + 1, (file) => this.foldedAsShown.get(file));
      if (write.length === 0) return { written: [], result };
      const line: LogLine = { seq: this.seq + 1, records: write.map((record) => ({ ...record, revision: this.seq + 1 })) };
      await this.append(line);
      // The write is durable already: a failed compaction (e.g. a full disk) is retried on a later write.
      await this.compactIfLarge().catch((error: Error) => process.stderr.write(`[veil] review log compaction of ${this.root} failed: ${error.message}\n`));
      return { written: line.records, result };
    });
  }

  // ---- Under the lock ------------------------------------------------------------------------------------

  /** Runs `work` after every earlier read or write of this process: the in-memory view has one mutator at a time. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `serialized`, and holding the dataset's review lock (which orders the processes). */
  private locked<T>(work: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
    return this.serialized(async () => {
      const lock = await acquireLock(this.root, 'review write', { file: 'reviewLock', waitMs });
      try {
        return await work();
      } finally {
        await lock.release();
      }
    });
  }

  /** Reads the snapshot and the whole log (under the lock); reports records whose revision changed. */
  private async reload(): Promise<ImageRecord[]> {
    const before = this.images;
    const snapshot = await readSnapshot(this.root);
    this.images = new Map(Object.entries(snapshot.images));
    this.seq = snapshot.seq;
    this.folded = new Map(Object.entries(snapshot.segments ?? {}));
    this.segments = new Map();
    this.snapshotStamp = await stampOf(veilPath(this.root, 'reviewSnapshot'));
    this.snapshotBytes = this.snapshotStamp?.size ?? 0;
    this.logIno = -1;
    this.logOffset = 0;
    const changed = await this.catchUp(true);
    if (changed === 'reload') throw new VeilError(ErrorCode.Corrupt, 'review log does not follow its snapshot (a line is missing)', veilRelative('reviewLog'));
    const differs = [...this.images.values()].filter((record) => before.get(record.file)?.revision !== record.revision);
    if (before.size > 0 && differs.length > 0) this.emit(differs);
    return [...differs, ...(await this.readSegments(differs))];
  }

  /**
   * Applies log lines appended since the last read. Outside the lock a trailing incomplete line is someone's
   * append in progress: left for next time. Under the lock it can only be a killed writer's torn line: cut off.
   */
  private async catchUp(underLock: boolean): Promise<ImageRecord[] | 'reload'> {
    const snapshot = await stampOf(veilPath(this.root, 'reviewSnapshot'));
    if (!sameStamp(snapshot, this.snapshotStamp)) return 'reload';
    const path = veilPath(this.root, 'reviewLog');
    const handle = await openStateFile(path, veilRelative('reviewLog'), underLock ? 'a+' : 'r').catch((error: NodeJS.ErrnoException) => {
      if (VeilError.is(error)) throw error;
      if (error.code === 'ENOENT') return undefined;
      throw new VeilError(ErrorCode.Unreadable, `cannot read the review log (${error.code ?? error.message})`, veilRelative('reviewLog'));
    });
    if (!handle) return this.logOffset === 0 ? [] : 'reload';
    try {
      const info = await handle.stat();
      if (this.logIno !== -1 && info.ino !== this.logIno) return 'reload';
      if (info.size < this.logOffset) return 'reload';
      this.logIno = info.ino;
      const from = this.logOffset;
      if (info.size === from) return [];
      const tail = Buffer.alloc(info.size - from);
      await handle.read(tail, 0, tail.length, from);
      const complete = tail.lastIndexOf(0x0a) + 1;
      if (underLock && complete < tail.length) await cutTornTail(handle, from + complete);
      const lines = parseLogLines(tail.subarray(0, complete), from);
      const changed: ImageRecord[] = [];
      for (const line of lines) {
        if (line.seq <= this.seq) continue;
        if (line.seq !== this.seq + 1) return 'reload';
        for (const record of line.records) this.images.set(record.file, record);
        for (const [id, lines] of Object.entries(line.folded ?? {})) this.folded.set(id, lines);
        changed.push(...line.records);
        this.seq = line.seq;
      }
      this.logOffset = from + complete;
      if (changed.length > 0) this.emit(changed);
      return changed;
    } finally {
      await handle.close();
    }
  }

  private async append(line: LogLine): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(line) + '\n');
    const handle = await openStateFile(veilPath(this.root, 'reviewLog'), veilRelative('reviewLog'), 'a');
    try {
      await handle.write(bytes);
      await handle.sync();
      const info = await handle.stat();
      if (this.logIno === -1) await syncDir(veilDir(this.root));
      this.logIno = info.ino;
      this.logOffset = info.size;
    } finally {
      await handle.close();
    }
    for (const record of line.records) this.images.set(record.file, record);
    for (const [id, lines] of Object.entries(line.folded ?? {})) this.folded.set(id, lines);
    this.seq = line.seq;
  }

  // ---- Shard segments (review/segments.ts) --------------------------------------------------------------

  /**
   * Reads what the segments gained since the last look (complete lines only), drops the lines the log has folded, and
   * merges the rest on top of the log's records; emits the records whose merged view changed. Cheap with no segments:
   * one readdir.
   */
  private async readSegments(logChanged: readonly ImageRecord[]): Promise<ImageRecord[]> {
    const ids = await listSegments(this.root);
    // Whether the unfolded lines changed: the overlay is computed again only then (or when the log changed a file it
    // covers), not on every poll of a reader while a killed shard's lines wait for a write to fold them.
    let linesChanged = false;
    for (const [id, state] of [...this.segments]) {
      if (ids.includes(id)) continue;
      this.segments.delete(id);
      linesChanged ||= state.lines.length > 0;
    }
    for (const id of ids) {
      const state = this.segments.get(id) ?? { cursor: SEGMENT_START, lines: [] };
      this.segments.set(id, state);
      if (state.problem === undefined) {
        const read = await readSegment(this.root, id, state.cursor);
        state.lines.push(...read.lines);
        state.cursor = read.cursor;
        state.problem = read.problem;
        linesChanged ||= read.lines.length > 0;
        if (read.problem) process.stderr.write(`[veil] ${segmentRelative(id)}: ${read.problem}; its later lines are not merged (run \`veil verify\`)\n`);
      }
      const unfolded = state.lines.filter((line) => line.seq >= (this.folded.get(id) ?? 0));
      linesChanged ||= unfolded.length !== state.lines.length;
      state.lines = unfolded;
    }
    const touched = logChanged.some((record) => this.pendingFiles.has(record.file));
    if (!linesChanged && !touched) return [];
    return this.mergeSegments();
  }

  /** The unfolded lines, in the one order every reader and every fold takes them: by segment id, then line. */
  private unfoldedLines(): SegmentLine[] {
    return [...this.segments.keys()].sort().flatMap((id) => this.segments.get(id)!.lines);
  }

  /** Recomputes the overlay; emits (and returns) the records whose merged view changed. */
  private mergeSegments(): ImageRecord[] {
    const before = this.overlay;
    const next = new Map<string, ImageRecord>();
    const lines = this.unfoldedLines();
    this.pendingFiles = new Set(lines.flatMap((line) => (line.job === 'detect' ? line.detected : line.commits).map((item) => item.file)));
    for (const line of lines) {
      const { written } = applySegmentLine(line, (file) => next.get(file) ?? this.images.get(file), NO_FILES, this.seq);
      for (const [file, record] of written) next.set(file, record);
    }
    this.overlay = next;
    const changed: ImageRecord[] = [];
    for (const [file, record] of next) if (JSON.stringify(before.get(file)) !== JSON.stringify(record)) changed.push(record);
    for (const file of before.keys()) if (!next.has(file) && this.images.has(file)) changed.push(this.images.get(file)!);
    if (changed.length > 0) this.emit(changed);
    return changed;
  }

  /**
   * Under the lock: writes every unfolded segment line into the log, as a detection run's group is written (their
   * `detect-image` lines first, then one review line with the records and how far each segment is folded).
   */
  private async foldSegments(): Promise<void> {
    const shown = this.overlay;
    this.foldedAsShown = new Map();
    await this.readSegments([]);
    const lines = this.unfoldedLines();
    if (lines.length > 0) {
      const revision = this.seq + 1;
      const held = await this.heldFiles(this.root);
      const written = new Map<string, ImageRecord>();
      const events: AuditEvent[] = [];
      const folded: Record<string, number> = {};
      for (const line of lines) {
        const write = applySegmentLine(line, (file) => written.get(file) ?? this.images.get(file), held, revision);
        for (const [file, record] of write.written) written.set(file, record);
        events.push(...write.events);
        folded[line.segment] = line.seq + 1;
      }
      // Write-ahead, as a detection group: a fold killed before its review line leaves entries the next fold writes
      // again (each then twice in the chain, the later one explaining the record; nothing else changes).
      if (events.length > 0) await appendAuditBatch(this.root, events);
      await this.append({ seq: revision, records: [...written.values()].map((record) => ({ ...record, revision })), folded });
      for (const [file, record] of written) {
        const seen = shown.get(file);
        if (seen && sameBesidesRevision(seen, record)) this.foldedAsShown.set(file, seen.revision ?? 0);
      }
      for (const state of this.segments.values()) state.lines = [];
      this.mergeSegments();
    }
  }

  /** How many lines of a segment the log holds. */
  foldedLines(id: string): number {
    return this.folded.get(id) ?? 0;
  }

  /** Folds the log into the snapshot once the log is the larger (amortized O(1) per write). */
  private async compactIfLarge(): Promise<void> {
    if (this.logOffset < Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) return;
    const snapshotPath = veilPath(this.root, 'reviewSnapshot');
    // A segment deleted (folded whole and closed) is left out: its id is never used again.
    const segments = Object.fromEntries([...this.folded].filter(([id]) => this.segments.has(id)));
    const db = new Low<Snapshot>(new DurableJsonFile<Snapshot>(snapshotPath), { version: 2, seq: this.seq, images: Object.fromEntries(this.images), ...(Object.keys(segments).length > 0 && { segments }) });
    await db.write();
    // A new, empty log (a new inode): readers that still hold the old one notice and reload.
    const logPath = veilPath(this.root, 'reviewLog');
    const emptyLog = tempPathFor(logPath);
    await writeSynced(emptyLog, new Uint8Array(0), { exclusive: true });
    await rename(emptyLog, logPath);
    await syncDir(veilDir(this.root));
    this.snapshotStamp = await stampOf(snapshotPath);
    this.snapshotBytes = this.snapshotStamp?.size ?? 0;
    this.logIno = (await stat(logPath)).ino;
    this.logOffset = 0;
  }

  private emit(records: ImageRecord[]): void {
    for (const listener of this.listeners) listener(records);
  }
}

function sameBesidesRevision(a: ImageRecord, b: ImageRecord): boolean {
  return JSON.stringify({ ...a, revision: 0 }) === JSON.stringify({ ...b, revision: 0 });
}

function sortedRecords(records: ReadonlyMap<string, ImageRecord>, only?: (file: string) => boolean): ImageRecord[] {
  const all = [...records.values()];
  return (only ? all.filter((record) => only(record.file)) : all).sort((a, b) => a.file.localeCompare(b.file));
}

async function stampOf(path: string): Promise<FileStamp | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info && { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);
}

async function cutTornTail(handle: FileHandle, length: number): Promise<void> {
  await handle.truncate(length);
  await handle.sync();
}

/** The snapshot, checked record by record: a hand-edited or corrupt file is named with the field at fault. */
async function readSnapshot(root: string): Promise<Snapshot> {
  const name = veilRelative('reviewSnapshot');
  const text = await readStateTextIfPresent(veilPath(root, 'reviewSnapshot'), name, 'the review state');
  if (text === undefined) return { version: 2, seq: 0, images: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new VeilError(ErrorCode.Corrupt, `review state is not valid JSON (${(error as Error).message}); fix or move the file`, name);
  }
  const parsed = data as Partial<Omit<Snapshot, 'version'>> & { version?: unknown };
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.images !== 'object' || parsed.images === null || Array.isArray(parsed.images)) {
    throw new VeilError(ErrorCode.Corrupt, 'review state has no "images" table', name);
  }
  // Version 1 (one writer, no log) had no sequence: its records are revision 0.
  const seq = parsed.version === 1 ? 0 : parsed.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) throw new VeilError(ErrorCode.Corrupt, '"seq" must be a whole number', name);
  for (const [file, record] of Object.entries(parsed.images)) {
    const problem = imageRecordProblem(record);
    if (problem) throw new VeilError(ErrorCode.Corrupt, `images["${file}"]${problem}`, name);
    if (record.file !== file) throw new VeilError(ErrorCode.Corrupt, `images["${file}"].file is "${record.file}"`, name);
  }
  return { version: 2, seq, images: parsed.images };
}

function parseLogLines(bytes: Buffer, offset: number): LogLine[] {
  const lines: LogLine[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const text = bytes.toString('utf8', start, end);
    const at = `line at byte ${offset + start}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new VeilError(ErrorCode.Corrupt, `review log ${at} is not valid JSON`, veilRelative('reviewLog'));
    }
    const line = value as Partial<LogLine>;
    if (typeof line !== 'object' || line === null || !Number.isInteger(line.seq) || !Array.isArray(line.records)) {
      throw new VeilError(ErrorCode.Corrupt, `review log ${at} is not {"seq", "records"}`, veilRelative('reviewLog'));
    }
    line.records.forEach((record, index) => {
      const problem = imageRecordProblem(record);
      if (problem) throw new VeilError(ErrorCode.Corrupt, `review log ${at}: records[${index}]${problem}`, veilRelative('reviewLog'));
    });
    lines.push(line as LogLine);
    start = end + 1;
  }
  return lines;
}
