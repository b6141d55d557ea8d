/**
 * The intent journal of an in-flight commit, `.veil/journal/` (a shard's: `.veil/journal/shard-<i>-of-<n>/`): `plan.json` (written once, atomically:
 * which files, with which options, by whom) and `progress.jsonl`: before an output is renamed over its
 * original, its complete audit event is appended there (fsync'd), so a commit killed at any point can be
 * finished by the next run exactly as it would have finished. What is already done needs no record: the
 * audit log says it (an image whose bytes are its audited output is committed).
 */
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, MASK_SHAPES, REDACTION_MODES, type MaskShape, type RedactionMode, type Shard } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { shardJournalName, shardOfJournalName, veilPath, veilRelative } from '../dataset/layout';
import { commitImageEventProblem, type CommitImageEvent, type PossibleFacesAllowed } from '../audit/events';
import { syncDir, writeAtomic } from '../storage/durable';
import { openStateFile, readStateTextIfPresent } from '../storage/stateFile';
import { actor, arrayOf, between, corrupt, count, flag, object, oneOf, optional, parseChecked, plain, text } from '../storage/checks';

const PLAN_FILE = 'plan.json';
const PROGRESS_FILE = 'progress.jsonl';

export interface CommitPlan {
  commitId: string;
  startedAt: string;
  actor: Actor;
  /** `keepAudio`: videos keep their audio streams (absent in plans written before video: false). */
  /** `doubtMargin` is absent in journals written before it existed: such a commit resumes with 0, as it began. */
  options: { mode: RedactionMode; margin: number; doubtMargin: number; shape: MaskShape; includeUnreviewed: boolean; keepAudio?: boolean };
  files: string[];
  /** The override of the possible-faces guard, when this plan needed one (for the commit's audit entry). */
  possibleFacesAllowed?: PossibleFacesAllowed;
  /** The shard this commit is of (`--shard`), for its summary entry. */
  shard?: Shard;
}

const planProblem = object({
  commitId: text,
  startedAt: text,
  actor,
  options: object({ mode: oneOf(REDACTION_MODES), margin: between(0, 2), doubtMargin: optional(between(0, 2)), shape: oneOf(MASK_SHAPES), includeUnreviewed: flag, keepAudio: optional(flag) }),
  files: arrayOf(text),
  possibleFacesAllowed: optional(object({ reason: text, images: count, possible: count })),
  shard: optional(object({ index: count, count: count })),
});

/** One journal's folder: the whole dataset's, or a shard's inside it (`slot` is that subfolder's name, '' for the dataset's). */
interface Slot {
  dir: string;
  /** Dataset-relative, as errors show it. */
  label: string;
  /** A shard's folder, removed with its last commit (a split into other shards later leaves no empty folders behind). */
  ofShard: boolean;
}

function slotOf(root: string, shard: Shard | undefined): Slot {
  return slotNamed(root, shard === undefined ? '' : shardJournalName(shard));
}

function slotNamed(root: string, name: string): Slot {
  return name === '' ? { dir: journalDir(root), label: veilRelative('journal'), ofShard: false } : { dir: join(journalDir(root), name), label: `${veilRelative('journal')}/${name}`, ofShard: true };
}

/** A journal file's text; undefined when it does not exist. */
function readJournalFile(slot: Slot, name: string): Promise<string | undefined> {
  return readStateTextIfPresent(join(slot.dir, name), `${slot.label}/${name}`, 'the commit journal');
}

/** The shards' journal folders that exist (`shard-<i>-of-<n>`). */
async function shardSlotNames(root: string): Promise<string[]> {
  const names = await readdir(journalDir(root)).catch(() => [] as string[]);
  return names.filter((name) => shardOfJournalName(name) !== undefined).sort();
}

/**
 * The journaled event of each file, by file. A torn last line (killed mid-write: not JSON, no newline after it)
 * is ignored; any other line that is not a commit-image event is refused, naming the line and the field.
 */
function parseProgress(text: string, label: string): Map<string, CommitImageEvent> {
  const publishing = new Map<string, CommitImageEvent>();
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.length === 0) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      if (index === lines.length - 1) continue;
      throw corrupt(label, 'commit journal', `line ${index + 1}: expected valid JSON`);
    }
    const problem = commitImageEventProblem(event);
    if (problem !== undefined) throw corrupt(label, 'commit journal', `line ${index + 1}: ${plain(problem)}`);
    publishing.set((event as CommitImageEvent).file, event as CommitImageEvent);
  }
  return publishing;
}

export interface JournalState {
  plan: CommitPlan;
  /** The journaled audit event of each file whose output may already be published. */
  publishing: Map<string, CommitImageEvent>;
}

export function journalDir(root: string): string {
  return veilPath(root, 'journal');
}

/** The files of each journaled commit, cached by its plan file's identity (asked on every review edit). */
const plannedCache = new Map<string, { stamp: string; files: ReadonlySet<string> }>();

/** Files held by an unfinished or running commit (the dataset's or any shard's): no review edit may change them until it finishes. */
export async function filesInCommit(root: string): Promise<ReadonlySet<string>> {
  const held = new Set<string>();
  for (const name of ['', ...(await shardSlotNames(root))]) {
    const slot = slotNamed(root, name);
    const plan = join(slot.dir, PLAN_FILE);
    const info = await stat(plan).catch(() => undefined);
    if (!info) continue;
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    let cached = plannedCache.get(plan);
    if (cached?.stamp !== stamp) {
      const loaded = await Journal.loadSlot(slot);
      cached = { stamp, files: new Set(loaded?.state.plan.files ?? []) };
      plannedCache.set(plan, cached);
    }
    for (const file of cached.files) held.add(file);
  }
  return held;
}

export class Journal {
  private constructor(private readonly slot: Slot) {}

  /** Where the journal is, as messages name it. */
  get label(): string {
    return this.slot.label;
  }

  /** Journals a new commit of the dataset or of one shard; refuses when that journal holds an unfinished one. */
  static async begin(root: string, plan: CommitPlan, shard?: Shard): Promise<Journal> {
    const slot = slotOf(root, shard);
    await mkdir(slot.dir, { recursive: true });
    if (await Journal.loadSlot(slot)) throw new VeilError(ErrorCode.Corrupt, 'an unfinished commit is journaled; it must be finished first', slot.label);
    await rm(join(slot.dir, PROGRESS_FILE), { force: true });
    await writeAtomic(join(slot.dir, PLAN_FILE), Buffer.from(JSON.stringify(plan, null, 1)));
    return new Journal(slot);
  }

  /** The unfinished commit of the dataset (or of one shard), if any. A torn last progress line (killed mid-write) is ignored. */
  static load(root: string, shard?: Shard): Promise<{ journal: Journal; state: JournalState } | undefined> {
    return Journal.loadSlot(slotOf(root, shard));
  }

  /** Every unfinished commit: the dataset's, then each shard's (what a whole-dataset holder of the commit lock finishes or waits for). */
  static async unfinished(root: string): Promise<Array<{ journal: Journal; state: JournalState }>> {
    const found = [];
    for (const name of ['', ...(await shardSlotNames(root))]) {
      const loaded = await Journal.loadSlot(slotNamed(root, name));
      if (loaded) found.push(loaded);
    }
    return found;
  }

  static async loadSlot(slot: Slot): Promise<{ journal: Journal; state: JournalState } | undefined> {
    const planText = await readJournalFile(slot, PLAN_FILE);
    if (planText === undefined) return undefined;
    const read = parseChecked<Omit<CommitPlan, 'options'> & { options: Omit<CommitPlan['options'], 'doubtMargin'> & { doubtMargin?: number } }>(planText, planProblem, 'commit plan', `${slot.label}/${PLAN_FILE}`);
    const plan: CommitPlan = { ...read, options: { ...read.options, doubtMargin: read.options.doubtMargin ?? 0 } };
    const publishing = parseProgress((await readJournalFile(slot, PROGRESS_FILE)) ?? '', `${slot.label}/${PROGRESS_FILE}`);
    return { journal: new Journal(slot), state: { plan, publishing } };
  }

  /** Records the audit event of an output about to be published; durable when the promise resolves. */
  async publishing(event: CommitImageEvent): Promise<void> {
    const handle = await openStateFile(join(this.slot.dir, PROGRESS_FILE), `${this.slot.label}/${PROGRESS_FILE}`, 'a');
    try {
      await handle.write(JSON.stringify(event) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** The commit is finished: progress first, then the plan (a plan without progress is a harmless restart). */
  async clear(): Promise<void> {
    await rm(join(this.slot.dir, PROGRESS_FILE), { force: true });
    await rm(join(this.slot.dir, PLAN_FILE), { force: true });
    await syncDir(this.slot.dir);
    if (this.slot.ofShard) await rmdir(this.slot.dir).catch(() => undefined);
  }
}
