/**
 * `.veil/redactions.json` on disk: written at the end of every commit and restore (under the dataset lock, from the
 * audit log and the review state: a missing or stale file is written again by the next one), and held against what
 * those say by verify (`redactions-stale`).
 */
import { isDeepStrictEqual } from 'node:util';
import { isRecord, type FileFailure, type ImageRecord, type VerifyFinding } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import { veilPath, veilRelative } from '../dataset/layout';
import { writeAtomic } from '../storage/durable';
import { acquireLock } from '../storage/lock';
import { removeTempsBeside } from '../storage/tempsBeside';
import { readStateTextIfPresent } from '../storage/stateFile';
import { catchUpAudited, type AuditedFiles, type CommitsAndRestores } from '../audit/committed';
import { describeRedactions, sidecarSeq, sidecarText, SIDECAR_FORMAT, SIDECAR_VERSION, type RedactionSidecar } from './sidecar';

const WHAT = 'the redaction sidecar';
/** How long a writer waits for another's (each holds the lock while it reads the log and writes the file). */
const SIDECAR_WAIT_MS = 60_000;
/** Files named in a `redactions-stale` finding before the rest are counted. */
const NAMED_FILES = 5;

function readSidecarText(root: string): Promise<string | undefined> {
  return readStateTextIfPresent(veilPath(root, 'redactions'), veilRelative('redactions'), WHAT);
}

/**
 * Writes the sidecar of the dataset at `root` as its log and `recordOf`'s records say, unless the file holds a view read
 * from more of the log (a higher `auditSeq`: another commit's, finished meanwhile) or the same text already. `audited`
 * is what the caller read of the log: only the lines appended since are read here (a commit has read the whole log
 * already; reading it again took 1.7–2.3 s at 100,000 audit lines on the loaded 2-core machine).
 */
export async function writeRedactionSidecar(root: string, recordOf: (file: string) => ImageRecord | undefined, audited: AuditedFiles): Promise<RedactionSidecar> {
  // The log is read before the lock: the shards of a split commit, each writing the sidecar at its end, took turns on
  // the lock for as long as each read took. Under the lock a writer only compares `auditSeq` and writes: the log only
  // grows, so the higher one holds every commit the other holds, and the last commit to finish leaves its view or a
  // later one.
  const sidecar = describeRedactions(await catchUpAudited(root, audited), recordOf);
  const text = sidecarText(sidecar);
  const lock = await acquireLock(root, 'redactions sidecar', { file: 'redactionsLock', waitMs: SIDECAR_WAIT_MS });
  try {
    // A writer killed mid-write left its temp file (the restore kill drill found one, reported by verify as stray-temp):
    // under this lock no other writer of the sidecar is at work.
    await removeTempsBeside([veilPath(root, 'redactions')]);
    // A file that cannot be read is replaced: it is derived, and the write below says whether the folder takes it.
    const current = await readSidecarText(root).catch(() => undefined);
    if (current !== text && !(sidecarSeq(current) > sidecar.auditSeq)) await writeAtomic(veilPath(root, 'redactions'), Buffer.from(text));
    return sidecar;
  } finally {
    await lock.release();
  }
}

/**
 * `writeRedactionSidecar` at the end of a commit or restore: a failure to write it (a full disk) is reported, never
 * taken for a failure of the files the commit or restore already finished; the next one writes it again.
 */
export async function sidecarWriteFailure(root: string, recordOf: (file: string) => ImageRecord | undefined, audited: AuditedFiles): Promise<FileFailure | undefined> {
  try {
    await writeRedactionSidecar(root, recordOf, audited);
    return undefined;
  } catch (error) {
    const failure = fileFailure(veilRelative('redactions'), error);
    return { ...failure, message: `not written (${failure.message}); the next commit writes it again` };
  }
}

function stale(message: string): VerifyFinding {
  return { kind: 'redactions-stale', file: veilRelative('redactions'), message: `${message}: run \`veil commit\` to write it again` };
}

/** The files whose entries differ between the two lists (by `file`), each with how. */
function differences(expected: ReadonlyArray<{ file: string }>, found: readonly unknown[]): string[] {
  const listed = new Map<unknown, unknown>(found.map((entry) => [isRecord(entry) ? entry.file : undefined, entry]));
  const named = new Set(expected.map((entry) => entry.file));
  return [
    ...expected.flatMap((entry) => (!listed.has(entry.file) ? [`${entry.file} not listed`] : isDeepStrictEqual(listed.get(entry.file), entry) ? [] : [`${entry.file} listed otherwise`])),
    ...[...listed.keys()].filter((file) => !named.has(file as string)).map((file) => `${String(file)} listed but not committed`),
  ];
}

/**
 * Verify's check: the sidecar lists exactly what the log (`facts`) and the review state (`recordOf`) say was redacted.
 * The files of `settling` (an interrupted commit or restore holds them; its rerun writes the sidecar) are not compared.
 */
export async function checkRedactionSidecar(root: string, facts: CommitsAndRestores, recordOf: (file: string) => ImageRecord | undefined, settling: ReadonlySet<string> = new Set()): Promise<VerifyFinding | undefined> {
  const expected = describeRedactions(facts, recordOf);
  let text: string | undefined;
  try {
    text = await readSidecarText(root);
  } catch (error) {
    return stale(`cannot be read (${VeilError.is(error) ? error.message : String(error)})`);
  }
  if (text === undefined) {
    const unlisted = [...expected.files, ...expected.undescribed].filter((entry) => !settling.has(entry.file)).length;
    return unlisted === 0 ? undefined : stale(`is missing, and ${unlisted} committed file(s) are not listed`);
  }
  let found: unknown;
  try {
    found = JSON.parse(text);
  } catch {
    return stale('does not parse as JSON');
  }
  if (!isRecord(found) || found.format !== SIDECAR_FORMAT || found.version !== SIDECAR_VERSION || !Array.isArray(found.files) || !Array.isArray(found.undescribed)) {
    return stale(`is not a ${SIDECAR_FORMAT} document of version ${SIDECAR_VERSION}`);
  }
  // A file whose record no longer holds its committed boxes cannot be checked (verify names that record itself:
  // review-unaudited): the sidecar may still list it as its commit painted it. Nor can a settling one.
  const unknown = new Set([...expected.undescribed.map((entry) => entry.file), ...settling]);
  const known = (entry: unknown) => !(isRecord(entry) && unknown.has(entry.file as string));
  const committed = new Set([...unknown, ...expected.files.map((entry) => entry.file)]);
  const problems = [
    ...differences(expected.files.filter((entry) => !settling.has(entry.file)), found.files.filter(known)),
    ...found.undescribed.filter((entry) => !(isRecord(entry) && committed.has(entry.file as string))).map((entry) => `${String(isRecord(entry) ? entry.file : entry)} listed but not committed`),
  ];
  if (problems.length === 0) return undefined;
  const more = problems.length > NAMED_FILES ? `, and ${problems.length - NAMED_FILES} more` : '';
  return stale(`does not list what the audit log and the review state say was redacted (${problems.slice(0, NAMED_FILES).join('; ')}${more})`);
}
