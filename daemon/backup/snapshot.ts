/**
 * A consistent picture of a dataset's protected state, taken for a backup by a caller holding the dataset (commit)
 * lock, so that no commit, change of recipients, purge or restore changes the vault meanwhile. The review files are
 * read under the review lock; every `.veil/` file is read before the audit log: each writer appends its audit entry
 * before it changes a file (write-ahead), so the log read last explains every state read before it, and a restore of
 * the picture verifies. The log is taken up to its last complete line.
 */
import { ErrorCode, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import { segmentRelative, veilPath, veilRelative, type LayoutName } from '../dataset/layout';
import { acquireLock } from '../storage/lock';
import { readStateFile } from '../storage/stateFile';
import { Journal } from '../commit/journal';
import { listSegments } from '../review/segments';
import { lineHash, parseEntry } from '../audit/chain';
import type { AuditEntry } from '../audit/events';
import { describeChange, finishCommand, loadRotationPlan } from '../vault/rotatePlan';
import { encryptionRecipients, recipientsSha256 } from '../vault/recipients';
import { listVaultObjects } from '../vault/vault';
import { SEALED_FILES } from './stateFiles';
import { datasetIdOf } from './manifest';

export interface StateFile {
  name: LayoutName;
  bytes: Buffer;
}

export interface Snapshot {
  /** The custodians: who the originals are encrypted to, and so who everything else is sealed to. */
  custodians: string[];
  custodiansSha256: string;
  files: StateFile[];
  /** The audit log through its last complete line. */
  log: Buffer;
  covers: Checkpoint;
  /** The log's entries that parse (a line that does not is stored all the same: verify reports it). */
  entries: AuditEntry[];
  /** Lines of the log that do not parse, by number. */
  unparsed: number[];
  /** The vault's objects (sha256 of each original). */
  vault: string[];
  /** `datasets/<id>/` in a backup folder: the sha256 of the log's first line, cut to 16 hex digits. */
  datasetId: string;
}

/** How long the review lock is waited for (a review edit holds it for milliseconds, a compaction for about a second). */
const REVIEW_LOCK_WAIT_MS = 15_000;

async function bytesIfPresent(root: string, name: LayoutName): Promise<Buffer | undefined> {
  try {
    return await readStateFile(veilPath(root, name), veilRelative(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (VeilError.is(error)) throw error;
    throw new VeilError(ErrorCode.Unreadable, `cannot read it for the backup (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, veilRelative(name));
  }
}

/** Refuses a dataset whose commit or change of recipients is unfinished: its picture would not be one Veil can restore whole. */
async function refuseWorkUnderWay(root: string): Promise<void> {
  if ((await Journal.unfinished(root)).length > 0) throw new VeilError(ErrorCode.Conflict, 'a commit was interrupted; run `veil commit` to finish it before backing up', veilRelative('journal'));
  const [segment] = await listSegments(root);
  if (segment !== undefined) {
    throw new VeilError(
      ErrorCode.Conflict,
      'a shard is running or was stopped before its end (its segment is not closed); let it finish, or run `veil commit` (which folds and closes a dead shard\'s segment), before backing up',
      segmentRelative(segment),
    );
  }
  const rotation = await loadRotationPlan(root);
  if (rotation) {
    throw new VeilError(ErrorCode.Conflict, `a change of recipients (${describeChange(rotation)}) was interrupted; run \`${finishCommand(rotation)}\` to finish it before backing up`, veilRelative('rotationPlan'));
  }
}

function readLog(log: Buffer): Pick<Snapshot, 'log' | 'covers' | 'entries' | 'unparsed' | 'datasetId'> {
  const end = log.lastIndexOf(0x0a) + 1;
  const whole = log.subarray(0, end);
  const lines = whole.length === 0 ? [] : whole.toString('utf8').slice(0, -1).split('\n');
  if (lines.length === 0) throw new VeilError(ErrorCode.Corrupt, 'the audit log is empty: there is nothing to back up yet', veilRelative('auditLog'));
  const entries: AuditEntry[] = [];
  const unparsed: number[] = [];
  for (const [index, line] of lines.entries()) {
    const entry = parseEntry(line);
    if (typeof entry === 'string') unparsed.push(index + 1);
    else entries.push(entry);
  }
  return {
    log: whole,
    covers: { entries: lines.length, head: lineHash(lines.at(-1)!) },
    entries,
    unparsed,
    datasetId: datasetIdOf(lines[0]!),
  };
}

export async function takeSnapshot(root: string): Promise<Snapshot> {
  await refuseWorkUnderWay(root);
  const { recipients: custodians } = await encryptionRecipients(root);
  if (custodians.length === 0) {
    throw new VeilError(ErrorCode.KeyError, 'no custodians: the dataset encrypts its originals to nobody, so there is nobody to seal the backup to; add a recipient first', veilRelative('recipients'));
  }
  const files: StateFile[] = [];
  const reviewLock = await acquireLock(root, 'backup', { file: 'reviewLock', waitMs: REVIEW_LOCK_WAIT_MS });
  try {
    for (const name of SEALED_FILES) {
      const bytes = await bytesIfPresent(root, name);
      if (bytes) files.push({ name, bytes });
    }
  } finally {
    await reviewLock.release();
  }
  const log = await bytesIfPresent(root, 'auditLog');
  if (!log) throw new VeilError(ErrorCode.BadPath, 'has no audit log: there is nothing to back up', veilRelative('auditLog'));
  const vault = await listVaultObjects(root);
  return { custodians, custodiansSha256: recipientsSha256(custodians), files, ...readLog(log), vault };
}
