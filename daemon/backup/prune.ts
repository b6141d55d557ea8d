/**
 * `backup/prune`: each dataset's oldest backup generations beyond `keep` removed from a backup folder, then every blob no
 * remaining generation names (README "Backup and disaster recovery"). Under the folder's lock (no backup or restore
 * meanwhile), in this order:
 *
 * 1. the manifest of every generation kept, of every dataset in the folder, opened with the identity given: blobs are
 *    shared by every generation and every dataset, and only the (sealed) manifests say which blobs one needs. A manifest
 *    that does not open, or is damaged, stops the prune before anything is written;
 * 2. a `backup-prune` entry in the audit log of each dataset losing generations, when the root its newest manifest
 *    recorded still holds that dataset (else the result says why none is written);
 * 3. the manifests of the generations removed, then their folder fsync'd: those generations no longer exist;
 * 4. the blobs no kept generation names, one at a time (cancellable between them), then the blobs' folder fsync'd.
 *
 * A prune killed anywhere leaves every generation it keeps whole: their manifests are never touched, and a blob is
 * removed only once no manifest left in the folder names it (every manifest that could name it is gone by step 4). A run
 * killed in step 3 or 4 leaves generations it meant to remove, or blobs, that the next prune removes.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, type BackupPruneParams, type BackupPruneResult, type BackupPrunedDataset } from '../protocol';
import { VeilError } from '../errors';
import type { CallContext } from '../core/callContext';
import { isDatasetRoot } from '../dataset/locate';
import { syncDir } from '../storage/durable';
import { isSha256Hex } from '../storage/hash';
import { appendAudit } from '../audit/log';
import { auditLines } from '../audit/reader';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { headerOpener, type HeaderOpener } from '../vault/reseal';
import { blobPath, blobsDir, generationPath, generationsDir, listDatasets, listGenerations, lockBackupFolder, openForRestore, removeStrayTemps, type BackupFolder } from './destination';
import { datasetIdOf } from './manifest';
import { readManifest } from './manifestFile';

interface DatasetPlan {
  datasetId: string;
  kept: number[];
  removed: number[];
  /** The dataset root the newest generation kept recorded. */
  root: string;
}

interface Blob {
  sha256: string;
  bytes: number;
}

/** Whether `root` is (still) the dataset `datasetId` names: its audit log's first line hashes to it. */
async function holdsDataset(root: string, datasetId: string): Promise<boolean> {
  if (!isDatasetRoot(root)) return false;
  try {
    for await (const line of auditLines(root)) return datasetIdOf(line.text) === datasetId;
  } catch {
    // An unreadable log is no dataset this prune can vouch for.
  }
  return false;
}

/** Which generations of each dataset go, and which stay. */
async function planDatasets(folder: BackupFolder, keep: number, only: string | undefined): Promise<Array<Omit<DatasetPlan, 'root'>>> {
  const datasets = await listDatasets(folder);
  if (only !== undefined && !datasets.includes(only)) throw new VeilError(ErrorCode.BadPath, `holds no backup of dataset ${only} (it holds ${datasets.join(', ') || 'none'})`, folder.dir);
  return Promise.all(
    datasets.map(async (datasetId) => {
      const generations = await listGenerations(folder, datasetId);
      const cut = only === undefined || only === datasetId ? Math.max(0, generations.length - keep) : 0;
      return { datasetId, removed: generations.slice(0, cut), kept: generations.slice(cut) };
    }),
  );
}

/** Step 1: every blob a kept generation names, and the root each dataset's newest generation recorded. */
async function keptReferences(folder: BackupFolder, plans: Array<Omit<DatasetPlan, 'root'>>, opener: HeaderOpener, step: (file: string) => void): Promise<{ referenced: Set<string>; plans: DatasetPlan[] }> {
  const referenced = new Set<string>();
  const withRoots: DatasetPlan[] = [];
  for (const plan of plans) {
    let root = '';
    for (const generation of plan.kept) {
      const path = generationPath(folder, plan.datasetId, generation);
      step(path);
      const { manifest } = await readManifest(folder, plan.datasetId, generation, opener).catch((error: unknown) => {
        const cause = VeilError.is(error) ? error.message : String(error);
        throw new VeilError(
          VeilError.is(error) ? error.code : ErrorCode.Unreadable,
          `${cause}; a prune reads the manifest of every generation it keeps, of every dataset in the folder (blobs are shared), to know which blobs they need: nothing was removed`,
          path,
        );
      });
      for (const part of manifest.parts) referenced.add(part.blob);
      root = manifest.root;
    }
    withRoots.push({ ...plan, root });
  }
  return { referenced, plans: withRoots };
}

/** Every blob of the folder (names that are not a sha256, like a killed run's temps, are none). */
async function blobsIn(folder: BackupFolder): Promise<Blob[]> {
  const names = await readdir(blobsDir(folder)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return Promise.all(names.filter(isSha256Hex).map(async (sha256) => ({ sha256, bytes: (await stat(blobPath(folder, sha256))).size })));
}

function tally(blobs: readonly Blob[]): { blobs: number; bytes: number } {
  return { blobs: blobs.length, bytes: blobs.reduce((sum, blob) => sum + blob.bytes, 0) };
}

/** Step 2: the prune in the dataset's own log, before anything is removed; or why it cannot be. */
async function logPrune(folder: BackupFolder, plan: DatasetPlan, doomed: { blobs: number; bytes: number }, ctx: CallContext): Promise<Pick<BackupPrunedDataset, 'loggedIn' | 'notLogged'>> {
  if (!(await holdsDataset(plan.root, plan.datasetId))) {
    return { notLogged: `${plan.root}, where generation ${plan.kept.at(-1)} was backed up from, does not hold this dataset here (moved, or another machine): no audit log records this prune` };
  }
  await appendAudit(plan.root, { type: 'backup-prune', actor: ctx.actor, destination: folder.dir, backupId: folder.backupId, datasetId: plan.datasetId, removed: plan.removed, kept: plan.kept, ...doomed });
  return { loggedIn: plan.root };
}

export async function pruneBackup(params: Omit<BackupPruneParams, 'progressToken'>, ctx: CallContext): Promise<BackupPruneResult> {
  if (!Number.isInteger(params.keep) || params.keep < 1) {
    throw new VeilError(ErrorCode.InvalidParams, `keep must be a whole number of at least 1 (got ${params.keep}): a backup without a generation restores nothing; to retire a whole backup, delete its folder`);
  }
  const { passphrase } = params;
  const opener = headerOpener(await loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv()));
  const folder = await openForRestore(params.backup);
  const lock = await lockBackupFolder(folder, 'prune');
  try {
    const dryRun = params.dryRun ?? false;
    const planned = await planDatasets(folder, params.keep, params.dataset);
    const blobs = await blobsIn(folder);
    let done = 0;
    // Until the manifests are read, every blob may go: the total shrinks to the blobs that do once they are.
    let total = planned.reduce((sum, plan) => sum + plan.kept.length + plan.removed.length, 0);
    const step = (file: string, message: string, more = 0) => ctx.progress({ done: done++, total: total + more, file, message });
    const { referenced, plans } = await keptReferences(folder, planned, opener, (file) => step(file, 'reading', blobs.length));
    const doomed = blobs.filter((blob) => !referenced.has(blob.sha256));
    const kept = tally(blobs.filter((blob) => referenced.has(blob.sha256)));
    total += doomed.length;
    const result = (datasets: BackupPrunedDataset[], removed: readonly Blob[], cancelled: boolean): BackupPruneResult => ({
      backup: folder.dir,
      backupId: folder.backupId,
      datasets,
      removed: tally(removed),
      kept,
      dryRun,
      cancelled,
    });
    if (dryRun) return result(plans.map(({ datasetId, kept: keptGenerations, removed }) => ({ datasetId, kept: keptGenerations, removed })), doomed, false);

    const datasets: BackupPrunedDataset[] = [];
    for (const plan of plans) {
      const logged = plan.removed.length > 0 ? await logPrune(folder, plan, tally(doomed), ctx) : {};
      datasets.push({ datasetId: plan.datasetId, kept: plan.kept, removed: plan.removed, ...logged });
    }
    for (const plan of plans) {
      for (const generation of plan.removed) {
        const path = generationPath(folder, plan.datasetId, generation);
        step(path, 'removing generations');
        await rm(path, { force: true });
      }
      if (plan.removed.length > 0) await syncDir(generationsDir(folder, plan.datasetId));
    }
    // Temps of a killed backup or restore: no manifest names them (the lock shuts those runs out now).
    await removeStrayTemps(folder);
    const removed: Blob[] = [];
    for (const blob of doomed) {
      if (ctx.token.isCancelled) break;
      step(blob.sha256, 'removing blobs');
      await rm(blobPath(folder, blob.sha256), { force: true });
      removed.push(blob);
    }
    if (removed.length > 0) await syncDir(blobsDir(folder));
    const cancelled = removed.length < doomed.length;
    ctx.progress({ done: total, total, message: cancelled ? 'cancelled' : 'pruned' });
    return result(datasets, removed, cancelled);
  } finally {
    await lock.release();
  }
}
