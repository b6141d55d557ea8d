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

interface Snapshot {
  version: 2;
  /** The last log line folded into this snapshot. */
  seq: number;
  images: Record<string, ImageRecord>;
}

interface LogLine {
  seq: number;
  records: ImageRecord[];
}

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

  private constructor(readonly root: string) {}

  /** The review log's path: what a caller shows as "where the review state lives". */
  get path(): string {
    return veilPath(this.root, 'reviewLog');
  }

  static async open(root: string): Promise<ReviewStore> {
    await mkdir(veilDir(root), { recursive: true });
    const store = new ReviewStore(root);
    await store.locked(() => store.reload());
    return store;
  }

  /** Called with the records other processes changed, whenever this process notices them. */
  onChange(listener: ReviewChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(file: string): ImageRecord | undefined {
    return this.images.get(file);
  }

  /** Every record, or those of the files `only` keeps (sorting all 2,000 records cost a shard's reconcile 11 ms), by file. */
  records(only?: (file: string) => boolean): ImageRecord[] {
    const records = [...this.images.values()];
    return (only ? records.filter((record) => only(record.file)) : records).sort((a, b) => a.file.localeCompare(b.file));
  }

  /** Catches up with what other processes wrote; returns the records that changed. Cheap when nothing did. */
  async refresh(): Promise<ImageRecord[]> {
    const changed = await this.serialized(() => this.catchUp(false));
    if (changed === 'reload') return this.locked(() => this.reload());
    return changed;
  }

  /**
   * Read-modify-write under the dataset's review lock: `decide` sees the latest records (`get`) and returns
   * the records to write; they are appended as one line and returned with their new revision, the one `decide` is
   * told (so that an audit line it appends first can name the revision it explains).
   */
  update<T>(decide: (get: (file: string) => ImageRecord | undefined, revision: number) => ReviewDecision<T> | Promise<ReviewDecision<T>>): Promise<{ written: ImageRecord[]; result: T }> {
    return this.locked(async () => {
      const changed = await this.catchUp(true);
      if (changed === 'reload') await this.reload();
      const { write, result } = await decide((file) => this.images.get(file), this.seq + 1);
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
  private locked<T>(work: () => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      const lock = await acquireLock(this.root, 'review write', { file: 'reviewLock', waitMs: LOCK_WAIT_MS });
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
    this.snapshotStamp = await stampOf(veilPath(this.root, 'reviewSnapshot'));
    this.snapshotBytes = this.snapshotStamp?.size ?? 0;
    this.logIno = -1;
    this.logOffset = 0;
    const changed = await this.catchUp(true);
    if (changed === 'reload') throw new VeilError(ErrorCode.Corrupt, 'review log does not follow its snapshot (a line is missing)', veilRelative('reviewLog'));
    const differs = [...this.images.values()].filter((record) => before.get(record.file)?.revision !== record.revision);
    if (before.size > 0 && differs.length > 0) this.emit(differs);
    return differs;
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
    this.seq = line.seq;
  }

  /** Folds the log into the snapshot once the log is the larger (amortized O(1) per write). */
  private async compactIfLarge(): Promise<void> {
    if (this.logOffset < Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) return;
    const snapshotPath = veilPath(this.root, 'reviewSnapshot');
    const db = new Low<Snapshot>(new DurableJsonFile<Snapshot>(snapshotPath), { version: 2, seq: this.seq, images: Object.fromEntries(this.images) });
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
