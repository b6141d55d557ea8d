/**
 * The intent journal of an in-flight commit, `.veil/journal/`: `plan.json` (written once, atomically:
 * which files, with which options, by whom) and `progress.jsonl`: before an output is renamed over its
 * original, its complete audit event is appended there (fsync'd), so a commit killed at any point can be
 * finished by the next run exactly as it would have finished. What is already done needs no record: the
 * audit log says it (an image whose bytes are its audited output is committed).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, MASK_SHAPES, REDACTION_MODES, type MaskShape, type RedactionMode } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { veilPath, veilRelative } from '../dataset/layout';
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
}

const planProblem = object({
  commitId: text,
  startedAt: text,
  actor,
  options: object({ mode: oneOf(REDACTION_MODES), margin: between(0, 2), doubtMargin: optional(between(0, 2)), shape: oneOf(MASK_SHAPES), includeUnreviewed: flag, keepAudio: optional(flag) }),
  files: arrayOf(text),
  possibleFacesAllowed: optional(object({ reason: text, images: count, possible: count })),
});

/** The dataset-relative name of a journal file, as errors show it. */
function journalRelative(name: string): string {
  return `${veilRelative('journal')}/${name}`;
}

/** A journal file's text; undefined when it does not exist. */
function readJournalFile(dir: string, name: string): Promise<string | undefined> {
  return readStateTextIfPresent(join(dir, name), journalRelative(name), 'the commit journal');
}

/**
 * The journaled event of each file, by file. A torn last line (killed mid-write: not JSON, no newline after it)
 * is ignored; any other line that is not a commit-image event is refused, naming the line and the field.
 */
function parseProgress(text: string): Map<string, CommitImageEvent> {
  const publishing = new Map<string, CommitImageEvent>();
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.length === 0) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      if (index === lines.length - 1) continue;
      throw corrupt(journalRelative(PROGRESS_FILE), 'commit journal', `line ${index + 1}: expected valid JSON`);
    }
    const problem = commitImageEventProblem(event);
    if (problem !== undefined) throw corrupt(journalRelative(PROGRESS_FILE), 'commit journal', `line ${index + 1}: ${plain(problem)}`);
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

/** The files of the journaled commit, cached by the plan file's identity (asked on every review edit). */
const plannedCache = new Map<string, { stamp: string; files: ReadonlySet<string> }>();

/** Files held by an unfinished or running commit: no review edit may change them until it finishes. */
export async function filesInCommit(root: string): Promise<ReadonlySet<string>> {
  const info = await stat(join(journalDir(root), PLAN_FILE)).catch(() => undefined);
  if (!info) return new Set();
  const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
  const cached = plannedCache.get(root);
  if (cached?.stamp === stamp) return cached.files;
  const loaded = await Journal.load(root);
  const files = new Set(loaded?.state.plan.files ?? []);
  plannedCache.set(root, { stamp, files });
  return files;
}

export class Journal {
  private constructor(private readonly dir: string) {}

  /** Journals a new commit; refuses when another one is unfinished. */
  static async begin(root: string, plan: CommitPlan): Promise<Journal> {
    const dir = journalDir(root);
    await mkdir(dir, { recursive: true });
    if (await Journal.load(root)) throw new VeilError(ErrorCode.Corrupt, 'an unfinished commit is journaled; it must be finished first', veilRelative('journal'));
    await rm(join(dir, PROGRESS_FILE), { force: true });
    await writeAtomic(join(dir, PLAN_FILE), Buffer.from(JSON.stringify(plan, null, 1)));
    return new Journal(dir);
  }

  /** The unfinished commit, if any. A torn last progress line (killed mid-write) is ignored. */
  static async load(root: string): Promise<{ journal: Journal; state: JournalState } | undefined> {
    const dir = journalDir(root);
    const planText = await readJournalFile(dir, PLAN_FILE);
    if (planText === undefined) return undefined;
    const read = parseChecked<Omit<CommitPlan, 'options'> & { options: Omit<CommitPlan['options'], 'doubtMargin'> & { doubtMargin?: number } }>(planText, planProblem, 'commit plan', journalRelative(PLAN_FILE));
    const plan: CommitPlan = { ...read, options: { ...read.options, doubtMargin: read.options.doubtMargin ?? 0 } };
    const publishing = parseProgress((await readJournalFile(dir, PROGRESS_FILE)) ?? '');
    return { journal: new Journal(dir), state: { plan, publishing } };
  }

  /** Records the audit event of an output about to be published; durable when the promise resolves. */
  async publishing(event: CommitImageEvent): Promise<void> {
    const handle = await openStateFile(join(this.dir, PROGRESS_FILE), journalRelative(PROGRESS_FILE), 'a');
    try {
      await handle.write(JSON.stringify(event) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** The commit is finished: progress first, then the plan (a plan without progress is a harmless restart). */
  async clear(): Promise<void> {
    await rm(join(this.dir, PROGRESS_FILE), { force: true });
    await rm(join(this.dir, PLAN_FILE), { force: true });
    await syncDir(this.dir);
  }
}
