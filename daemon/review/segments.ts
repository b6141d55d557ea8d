/**
 * A shard's segment, `.veil/segments/<id>.jsonl`: a detection shard writes its detections there, a commit shard its
 * committed images' entries, under no lock any other process takes. They are folded into the one review log (and their
 * `detect-image` or `commit-image` entries into the one audit chain) by whoever next holds the review lock: any review
 * write, the shard itself every few seconds when the lock is free, and the shard at its end (review/store.ts). Until
 * then every reader merges them with the same rule the fold uses (`applySegmentLine`), so `status`, `export`, `verify`
 * and the editor see them as if written already.
 *
 * Each line is one group of detections or one committed image, hash-chained like the audit log (`prev` = sha256 of
 * the line before, GENESIS first), naming its segment and the actor (a detection also the settings it ran with, and
 * each proposal the id its box will have, so every fold and every merge on read gives the same boxes). The audit chain
 * holds a `segment-open` entry before the segment's first line and a `segment-close` once it is folded whole and
 * deleted, so a segment removed before its fold is a finding (verify/segments.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { mkdir, readdir, rm, type FileHandle } from 'node:fs/promises';
import { ErrorCode, isOneOf, isRecord, type ImageRecord, type Shard } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { segmentLockPath, segmentOfFileName, segmentPath, segmentRelative, veilPath, veilRelative } from '../dataset/layout';
import { acquireLockFile, type DatasetLock } from '../storage/lock';
import { openStateFile } from '../storage/stateFile';
import { syncDir, writeSynced } from '../storage/durable';
import { actor as actorCheck, arrayOf, between, count, exactly, finite, flag, object, oneOf, optional, sha256, text, type Check } from '../storage/checks';
import { commitImageEventProblem, type AuditEvent, type CommitImageEvent } from '../audit/events';
import { markedCommitted } from './markedCommitted';
import { GENESIS, lineHash } from '../audit/chain';
import { linesOf } from '../audit/reader';
import { appendAudit } from '../audit/log';
import { shardName } from '../dataset/shard';
import { applyDetections, type DetectionAsked, type Detected } from './detectionWrite';
import type { IdentifiedFace } from './merge';

/** An image's faces as a segment holds them: each with the id its proposal is to have. */
export type SegmentFace = IdentifiedFace & { id: string };

/** One image's detection in a segment (videos are written to the review log directly). */
export interface SegmentDetected extends Detected {
  found: { width: number; height: number; faces: SegmentFace[]; possible: SegmentFace[] };
}

/** What a segment's shard runs: a detection shard writes groups of detections, a commit shard its committed images. */
export const SEGMENT_JOBS = ['detect', 'commit'] as const;
export type SegmentJob = (typeof SEGMENT_JOBS)[number];

interface LineHeader {
  /** 0-based line number in the segment. */
  seq: number;
  prev: string;
  at: string;
  segment: string;
  actor: Actor;
}

/** A group of detections, each merged into its record as a detection run's group is (review/detectionWrite.ts). */
export interface DetectionsLine extends LineHeader {
  job: 'detect';
  asked: DetectionAsked;
  detected: SegmentDetected[];
}

/** Images a commit shard published: their `commit-image` entries (verbatim into the chain) and their records marked committed at `at`. */
export interface CommitsLine extends LineHeader {
  job: 'commit';
  commits: CommitImageEvent[];
}

export type SegmentLine = DetectionsLine | CommitsLine;

/** What one line writes: the records (by file), and the audit entries that explain them, appended first. */
export interface SegmentLineWrite {
  written: Map<string, ImageRecord>;
  events: AuditEvent[];
}

/**
 * The one rule for a segment line, for the fold and for every reader's merge: detections merged into the records as
 * they stand (`held`: files a running commit holds, left alone by a fold; readers pass none), commits marking each
 * file's latest record committed. `get` sees the lines applied before this one.
 */
export function applySegmentLine(line: SegmentLine, get: (file: string) => ImageRecord | undefined, held: ReadonlySet<string>, revision: number): SegmentLineWrite {
  if (line.job === 'detect') {
    const { written, lines } = applyDetections(line.detected, line.asked, { get, held, actor: line.actor, revision });
    return { written, events: lines };
  }
  const written = new Map<string, ImageRecord>();
  for (const event of line.commits) {
    const record = markedCommitted(written.get(event.file) ?? get(event.file), line.at);
    if (record) written.set(event.file, record);
  }
  return { written, events: line.commits };
}

/** Where a read of a segment stopped: the byte after the last line read, the next line's number, and its `prev`. */
export interface SegmentCursor {
  byte: number;
  seq: number;
  head: string;
}

export const SEGMENT_START: SegmentCursor = { byte: 0, seq: 0, head: GENESIS };

const face: Check = object({ id: text, x: finite, y: finite, w: finite, h: finite, score: between(0, 1) });
const header = { seq: count, prev: sha256, at: text, segment: text, actor: actorCheck };
const LINE_CHECKS: Record<SegmentJob, Check> = {
  detect: object({
    ...header,
    job: exactly('detect'),
    asked: object({ model: text, threshold: between(0, 1), thorough: flag, videoStride: count, force: flag }),
    detected: arrayOf(
      object({
        file: text,
        found: object({ width: count, height: count, faces: arrayOf(face), possible: arrayOf(face) }),
        detection: object({ model: text, threshold: between(0, 1), thorough: flag, at: text, videoStride: optional(count) }),
      }),
    ),
  }),
  commit: object({ ...header, job: exactly('commit'), commits: arrayOf(commitImageEventProblem) }),
};
const segmentLineProblem: Check = (value) => (isRecord(value) && isOneOf(SEGMENT_JOBS, value.job) ? LINE_CHECKS[value.job](value) : `.job${oneOf(SEGMENT_JOBS)(isRecord(value) ? value.job : value)}`);

/** The segments of a dataset now, by id (the order every fold and every reader merges them in). */
export async function listSegments(root: string): Promise<string[]> {
  const names = await readdir(veilPath(root, 'segments')).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new VeilError(ErrorCode.BadPath, `cannot list the shard segments (${error.code ?? error.message}): it must be a folder`, veilRelative('segments'));
  });
  return names.flatMap((name) => segmentOfFileName(name) ?? []).sort();
}

export interface SegmentRead {
  lines: SegmentLine[];
  cursor: SegmentCursor;
  /** Why reading stopped before the end: a line that is not what the chain says follows (it and all after it are left unread). */
  problem?: string;
}

/**
 * The complete lines of a segment from `from` on (an incomplete last line is a write in progress or a killed writer's:
 * left). A segment that is gone reads as nothing more.
 */
export async function readSegment(root: string, id: string, from: SegmentCursor = SEGMENT_START): Promise<SegmentRead> {
  let handle: FileHandle;
  try {
    handle = await openStateFile(segmentPath(root, id), segmentRelative(id), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], cursor: from };
    throw error;
  }
  const lines: SegmentLine[] = [];
  let cursor = from;
  try {
    for await (const line of linesOf(handle, { byte: from.byte, line: from.seq })) {
      if (!line.complete) break;
      const problem = lineProblem(line.text, id, cursor);
      if (problem) return { lines, cursor, problem: `line ${cursor.seq + 1} (byte ${cursor.byte}) ${problem}` };
      lines.push(JSON.parse(line.text) as SegmentLine);
      cursor = { byte: line.end, seq: cursor.seq + 1, head: lineHash(line.text) };
    }
  } finally {
    await handle.close();
  }
  return { lines, cursor };
}

function lineProblem(line: string, id: string, at: SegmentCursor): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'is not valid JSON';
  }
  const problem = segmentLineProblem(value);
  if (problem) return `is not a segment line (${problem.replace(/^: /, '')})`;
  const entry = value as SegmentLine & Record<string, unknown>;
  if (!isRecord(entry) || entry.segment !== id) return `names segment "${String(entry.segment)}"`;
  if (entry.seq !== at.seq) return `has seq ${entry.seq}, expected ${at.seq}`;
  if (entry.prev !== at.head) return 'does not follow the line before it (its "prev" hash differs)';
  return undefined;
}

/** An image's detection with the id each of its boxes will have (`m-` a proposal, `p-` a possible face: review/merge.ts). */
export function withProposalIds(detected: Detected): SegmentDetected {
  if ('info' in detected.found) throw new VeilError(ErrorCode.Internal, 'a video is written to the review log, not to a segment', detected.file);
  const { width, height, faces, possible } = detected.found;
  const named = (prefix: string) => (face: IdentifiedFace): SegmentFace => ({ x: face.x, y: face.y, w: face.w, h: face.h, score: face.score, id: `${prefix}-${randomUUID()}` });
  return { file: detected.file, found: { width, height, faces: faces.map(named('m')), possible: possible.map(named('p')) }, detection: detected.detection };
}

/** A new segment's id: the job, the shard, when, and 32 random bits (two runs of one shard never share one). */
function newSegmentId(job: SegmentJob, shard: Shard): string {
  const when = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${job}-${shard.index}-of-${shard.count}-${when}-${randomBytes(4).toString('hex')}`;
}

/** What folds segments into the review log: the review store (review/store.ts, which imports this module). */
interface FoldsSegments {
  fold(options?: { wait: boolean }): Promise<boolean>;
  /** How many lines of a segment the log holds. */
  foldedLines(id: string): number;
}

/**
 * Mid-run, a shard folds its lines at most this often (and only when the review lock is free): a fold is two more
 * fsync'd appends (audit, review) besides the segment's own, and readers merge what is not folded yet meanwhile.
 */
const FOLD_EVERY_MS = 5_000;

/** The shard's writer of its segment: opened at the start of its run, appended to once per group, closed at its end. */
export class SegmentWriter {
  private cursor = SEGMENT_START;
  private lastFold = performance.now();
  /** One append at a time (a commit has several images in flight): the chain is written in order. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly root: string,
    readonly id: string,
    private readonly actor: Actor,
    private readonly lock: DatasetLock,
  ) {}

  /** Takes the segment's lock, makes its empty file and writes its `segment-open` entry, before any line. */
  static async open(root: string, job: SegmentJob, shard: Shard, actor: Actor): Promise<SegmentWriter> {
    const id = newSegmentId(job, shard);
    await mkdir(veilPath(root, 'segments'), { recursive: true });
    const lock = await acquireLockFile(segmentLockPath(root, id), { label: segmentRelative(id).replace(/\.jsonl$/, '.lock'), subject: `segment ${id}`, purpose: `${job} shard ${shardName(shard)}` });
    try {
      // The empty file first: from here every reader (and a backup, which refuses while one exists) sees the segment,
      // and a kill before the entry below leaves an empty file that the next waiting fold closes (no finding left).
      await writeSynced(segmentPath(root, id), new Uint8Array(0), { exclusive: true });
      await syncDir(veilPath(root, 'segments'));
      await appendAudit(root, { type: 'segment-open', actor, segment: id, shard });
    } catch (error) {
      await lock.release();
      throw error;
    }
    return new SegmentWriter(root, id, actor, lock);
  }

  /** Appends one group of detections (fsync'd before it resolves). */
  appendDetections(asked: DetectionAsked, detected: SegmentDetected[]): Promise<void> {
    return this.append({ job: 'detect', asked, detected });
  }

  /** Appends committed images' entries (fsync'd before it resolves: what an audit append was to a commit). */
  appendCommits(commits: CommitImageEvent[]): Promise<void> {
    return this.append({ job: 'commit', commits });
  }

  private append(body: Omit<DetectionsLine, keyof LineHeader> | Omit<CommitsLine, keyof LineHeader>): Promise<void> {
    const run = this.queue.then(() => this.appendNow(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(body: Omit<DetectionsLine, keyof LineHeader> | Omit<CommitsLine, keyof LineHeader>): Promise<void> {
    const line = { seq: this.cursor.seq, prev: this.cursor.head, at: new Date().toISOString(), segment: this.id, actor: this.actor, ...body };
    const textOfLine = JSON.stringify(line);
    const handle = await openStateFile(segmentPath(this.root, this.id), segmentRelative(this.id), 'a');
    try {
      await handle.write(textOfLine + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.cursor = { byte: this.cursor.byte + Buffer.byteLength(textOfLine) + 1, seq: this.cursor.seq + 1, head: lineHash(textOfLine) };
  }

  /**
   * Folds the lines written so far if FOLD_EVERY_MS passed since the last try and the review lock is free now. A fold
   * that fails (a damaged audit log, a full disk) does not fail the run: the lines are safe in the segment, and the
   * shard's last fold, which waits and fails loudly, writes them or says why not.
   */
  async foldIfDue(store: FoldsSegments): Promise<void> {
    if (performance.now() - this.lastFold < FOLD_EVERY_MS) return;
    this.lastFold = performance.now();
    await store.fold({ wait: false }).catch((error: Error) => process.stderr.write(`[veil] ${segmentRelative(this.id)}: folding into the review log failed (${error.message}); kept in the segment\n`));
  }

  /**
   * The shard's end: its last lines folded into the log (waiting for the review lock, the one wait of its run), then,
   * once the log holds every line, `segment-close` names its length and head and the file goes. A kill in between
   * leaves a folded file, which readers skip (they know how far the log folded it) and `closeAbandonedSegments`
   * removes. A segment the log does not hold whole (its chain broke: someone changed it) is kept, for verify to name,
   * and the run fails saying so. The lock is given up in every case.
   */
  async finish(store: FoldsSegments): Promise<void> {
    try {
      await store.fold();
      const folded = store.foldedLines(this.id);
      if (folded !== this.cursor.seq) {
        throw new VeilError(ErrorCode.Corrupt, `only ${folded} of its ${this.cursor.seq} lines reached the review log (it was changed while the shard ran); run \`veil verify\` and detect this shard again`, segmentRelative(this.id));
      }
      await closeSegment(this.root, this.id, this.actor, this.cursor);
    } finally {
      await this.lock.release();
    }
  }

  /** Gives up the lock without closing (a failed run): the segment stays for a later fold and clean-up. */
  release(): Promise<void> {
    return this.lock.release();
  }
}

async function closeSegment(root: string, id: string, actor: Actor, cursor: SegmentCursor): Promise<void> {
  await appendAudit(root, { type: 'segment-close', actor, segment: id, lines: cursor.seq, head: cursor.head });
  await rm(segmentPath(root, id), { force: true });
  await syncDir(veilPath(root, 'segments')).catch(() => undefined);
}

/**
 * Closes the segments whose writers are gone (their lock taken over: a killed shard) and which the review log has
 * folded whole (`foldedLines`): called under the review lock by the store's fold. Returns the ids closed.
 */
export async function closeAbandonedSegments(root: string, foldedLines: (id: string) => number): Promise<string[]> {
  const closed: string[] = [];
  for (const id of await listSegments(root)) {
    let lock: DatasetLock;
    try {
      lock = await acquireLockFile(segmentLockPath(root, id), { label: segmentRelative(id), subject: `segment ${id}`, purpose: 'closing an abandoned segment' });
    } catch (error) {
      // Held by a live writer (here, or on another host: never taken over), or a lock file that says no holder yet.
      if (VeilError.is(error)) continue;
      throw error;
    }
    try {
      const read = await readSegment(root, id);
      if (read.problem !== undefined || read.cursor.seq !== foldedLines(id)) continue;
      // Closed in the name of whoever wrote it (its last line's actor), or of this process's user for an empty one.
      const actor = read.lines.at(-1)?.actor ?? { osUser: userInfo().username, reviewer: '' };
      await closeSegment(root, id, actor, read.cursor);
      closed.push(id);
    } finally {
      await lock.release();
    }
  }
  return closed;
}
