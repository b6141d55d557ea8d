/**
 * `vault/restore`: committed images' originals put back in place of their anonymized outputs, e.g. to review them
 * again with a better model. Under the dataset lock (no commit, purge or change of recipients meanwhile), one image at
 * a time, cancellable between images. Per image:
 *
 * 1. checked before anything is logged: the image has a commit, and the file holds that commit's output (or, for a
 *    restore an earlier run began, the output or the original);
 * 2. decrypted through the audited opening (vault/openOriginal.ts: the purpose checked, the original there and not
 *    purged, an `open-original` entry naming the file it is restored to, or the refusal logged), a block at a time
 *    into a temp file beside the image (fsync'd; a video's original is gigabytes); the opening takes the image's
 *    commit from the log read once at the start of the run (the lock shuts commits out), the same entry step 1
 *    checked, not from a read of the log per image (bench/openings.ts: 90 ms per image at 10,000 entries when each
 *    opening read the log whole);
 * 3. its `restore-original` entry appended (fsync'd), then the temp renamed over the output (folder fsync'd);
 * 4. under the review lock, a `review-change` entry (status "unreviewed", the boxes kept), then the record written.
 *
 * A kill anywhere leaves the output or the original in place, never a mix; the same command run again finishes (step
 * 2 again when the output is still there, step 4 when the record still says committed) and verify reports the image
 * as `restore-unfinished` until then. A later commit takes the image like any other, reusing its vault object.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, type FileFailure, type VaultRestoreParams, type VaultRestoreResult } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import type { Actor, CallContext } from '../core/callContext';
import { resolveInside } from '../dataset/paths';
import { inScope } from '../dataset/locate';
import { veilRelative } from '../dataset/layout';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { countDecision, decisionSha256 } from '../audit/events';
import { datasetFileRule } from '../dataset/fileRule';
import { acquireLock } from '../storage/lock';
import { publish, tempPathFor } from '../storage/durable';
import { removeTempsBeside } from '../storage/tempsBeside';
import { sha256OfRegularFile } from '../storage/regularFile';
import type { DatasetOpener } from '../commit/commit';
import { Journal } from '../commit/journal';
import type { ReviewStore } from '../review/store';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { writeOriginalToRestore } from '../vault/openOriginal';
import { loggedFileName, readAuditEntries, retentionFacts, type RetentionFacts } from '../vault/retention';
import { noAuditedFiles } from '../audit/committed';
import { removeOwnTemps } from './retentionTemps';
import { sidecarWriteFailure } from '../redactions/sidecarFile';

export interface RestoreDeps {
  datasets: DatasetOpener;
}

type Outcome = 'restored' | 'already';

interface RestoreRun {
  root: string;
  store: ReviewStore;
  facts: RetentionFacts;
  purpose: string | undefined;
  keys: () => Promise<readonly string[]>;
  actor: Actor;
}

/** The identity file's keys, loaded once for the whole run (the opening logs a file that does not load). */
function keysOnce(params: VaultRestoreParams): () => Promise<readonly string[]> {
  let loaded: Promise<string[]> | undefined;
  const { passphrase } = params;
  return () => (loaded ??= loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv()));
}

/** Under the review lock: the record becomes "unreviewed", its boxes kept, its review-change entry written first. */
async function reopenReview(run: RestoreRun, file: string): Promise<void> {
  await run.store.update(async (get, revision) => {
    const record = get(file);
    if (record?.status !== 'committed') return { write: [], result: undefined };
    const { committedAt: _committedAt, ...rest } = record;
    await appendAudit(run.root, { type: 'review-change', actor: run.actor, file, status: 'unreviewed', ...countDecision(record), boxesSha256: decisionSha256(record), revision });
    return { write: [{ ...rest, status: 'unreviewed' }], result: undefined };
  });
}

async function restoreOne(run: RestoreRun, file: string): Promise<Outcome> {
  const { root, facts } = run;
  const commit = facts.commits.get(file);
  if (!commit) throw new VeilError(ErrorCode.BadPath, 'has no committed original in the vault', file);
  const begun = facts.restored.get(file);
  const path = resolveInside(root, file);
  await removeTempsBeside([path]);
  const { sha256, stats } = await sha256OfRegularFile(path, file, datasetFileRule(file));
  const holdsOriginal = sha256 === commit.originalSha256;
  if (holdsOriginal && !begun) throw new VeilError(ErrorCode.Corrupt, 'holds its original already, yet no restore of it is logged (verify reports it); not restored', file);
  if (!holdsOriginal && sha256 !== commit.outputSha256) {
    throw new VeilError(ErrorCode.Conflict, 'holds neither the output of its latest commit nor its original (changed outside Veil?); left as it is', file);
  }
  if (holdsOriginal && run.store.get(file)?.status !== 'committed') return 'already';

  if (!holdsOriginal) {
    const temp = tempPathFor(path);
    try {
      const opened = await writeOriginalToRestore({ root, file, purpose: run.purpose, keys: run.keys, actor: run.actor, audited: async () => run.facts, temp, mode: stats.mode & 0o777 });
      if (!begun) {
        await appendAudit(root, { type: 'restore-original', actor: run.actor, file, vaultObject: commit.vaultObject, purpose: opened.purpose, replacedSha256: commit.outputSha256 });
      }
      await publish(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
  await reopenReview(run, file);
  return 'restored';
}

/** A refusal that every other image would meet too: the purpose, or an identity file that does not load. */
function stopsTheRun(error: unknown, keysFailed: boolean): boolean {
  return keysFailed || (VeilError.is(error) && error.code === ErrorCode.PurposeRefused);
}

export async function restoreOriginals(params: VaultRestoreParams, ctx: CallContext, deps: RestoreDeps): Promise<VaultRestoreResult> {
  const { root, scope, store } = await deps.datasets.open(params.root);
  let keysFailed = false;
  const load = keysOnce(params);
  const keys = () => load().catch((error: unknown) => {
    keysFailed = true;
    throw error;
  });
  const lock = await acquireLock(root, 'restore');
  try {
    await removeOwnTemps(root, ['commitLock', 'reviewLock', 'auditLock', 'reviewSnapshot']);
    if ((await Journal.unfinished(root)).length > 0) throw new VeilError(ErrorCode.Conflict, 'a commit was interrupted; run `veil commit` to finish it before restoring', veilRelative('journal'));
    await store.refresh();
    const facts = retentionFacts(await readAuditEntries(root));
    const files = params.files
      ? [...new Set(params.files.map((file) => loggedFileName(root, file)))]
      : [...facts.commits.keys()].filter((file) => inScope(file, scope)).sort((a, b) => a.localeCompare(b));
    const run: RestoreRun = { root, store, facts, purpose: params.purpose, keys, actor: ctx.actor };
    const restored: string[] = [];
    const alreadyRestored: string[] = [];
    const failures: FileFailure[] = [];
    let cancelled = false;
    for (const [done, file] of files.entries()) {
      if (ctx.token.isCancelled) {
        cancelled = true;
        break;
      }
      ctx.progress({ done, total: files.length, file, message: 'restoring' });
      try {
        ((await restoreOne(run, file)) === 'restored' ? restored : alreadyRestored).push(file);
      } catch (error) {
        if (stopsTheRun(error, keysFailed)) throw error;
        failures.push(fileFailure(file, error));
      }
    }
    ctx.progress({ done: restored.length + alreadyRestored.length + failures.length, total: files.length, message: cancelled ? 'cancelled' : 'restored' });
    // A restored image is no longer committed: the redaction sidecar drops it.
    // The log read whole: the facts read at the start are older than this run's own entries.
    const sidecarFailure = await sidecarWriteFailure(root, (file) => store.get(file), noAuditedFiles());
    if (sidecarFailure) failures.push(sidecarFailure);
    return { root, restored, alreadyRestored, failures, cancelled, checkpoint: await auditCheckpoint(root) };
  } finally {
    await lock.release();
  }
}
