/**
 * The files a person excluded from anonymization, and why: a part of the review state kept apart from the image
 * records of `store.ts`, in `.veil/exclusions.json` (`{"version":1,"files":{"<file>":{"reason","by","at"}}}`).
 *
 * Apart, because an exclusion is about any file that can hold a face, also one Veil cannot read (a video, an
 * animated GIF), which has no size and no boxes to make an image record of; and because exclusions are few and
 * rarely change, while the record log is built for thousands of small edits. The file is rewritten whole
 * (crash-safe) by `services/exclusions.ts`, under the review lock and after the decision's audit line; readers read
 * it whole, so no reader ever holds a stale copy.
 */
import { isRecord } from '../protocol';
import { veilPath, veilRelative } from '../dataset/layout';
import { writeAtomic } from '../storage/durable';
import { readStateTextIfPresent } from '../storage/stateFile';
import { exactly, object, parseChecked, str, text, type Check } from '../storage/checks';

export interface Exclusion {
  reason: string;
  /** The reviewer who excluded the file. */
  by: string;
  at: string;
}

interface ExclusionsFile {
  version: 1;
  files: Record<string, Exclusion>;
}

const exclusionProblem = object({ reason: text, by: str, at: text });

/** Every value of `files` is an exclusion (named by its file in the problem). */
const filesProblem: Check = (value) => {
  if (!isRecord(value)) return ': expected an object';
  for (const [file, exclusion] of Object.entries(value)) {
    const problem = exclusionProblem(exclusion);
    if (problem !== undefined) return `[${JSON.stringify(file)}]${problem}`;
  }
  return undefined;
};
const fileProblem = object({ version: exactly(1), files: filesProblem });

/** The excluded files of a dataset, by file (none when nothing was ever excluded). */
export async function readExclusions(root: string): Promise<ReadonlyMap<string, Exclusion>> {
  const json = await readStateTextIfPresent(veilPath(root, 'exclusions'), veilRelative('exclusions'), 'the exclusions');
  if (json === undefined) return new Map();
  const parsed = parseChecked<ExclusionsFile>(json, fileProblem, 'exclusions file', veilRelative('exclusions'));
  return new Map(Object.entries(parsed.files));
}

/** Replaces the exclusions; only called under the review lock, after the audit lines of the change. */
export async function writeExclusions(root: string, exclusions: ReadonlyMap<string, Exclusion>): Promise<void> {
  const sorted = [...exclusions].sort(([a], [b]) => a.localeCompare(b));
  const content: ExclusionsFile = { version: 1, files: Object.fromEntries(sorted) };
  await writeAtomic(veilPath(root, 'exclusions'), Buffer.from(JSON.stringify(content, null, 1) + '\n'));
}
