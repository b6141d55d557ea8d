/**
 * The editor's `veil backup` and `veil restore-backup`. "Back Up Dataset…" (a dataset of the Veil view, a folder, the
 * open review, or asked): a backup folder is picked (on another disk; the daemon refuses one inside the dataset),
 * then whether to keep the committed images too, and `backup/create` runs under a cancellable progress notification
 * (Cancel publishes nothing; the next run reuses what was copied). "Restore Dataset from Backup…": the backup folder,
 * the folder to rebuild the dataset in (it must hold no `.veil/`), a custodian's key, then `backup/restore`; the result
 * offers to verify the rebuilt dataset. "Prune Old Backups…": the backup folder, how many generations of each dataset
 * to keep, a custodian's key (the kept manifests are sealed), then a dry run of `backup/prune` whose counts the person
 * confirms before it runs.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { BackupBlobCount, BackupCreateResult, BackupPruneResult, BackupRestoreResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import { askIdentity } from './identityPrompt';
import { withDaemonProgress } from './progressNotification';

interface BackupDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** The global state: the backup folder and the identity file used last. */
  memory: vscode.Memento;
  /** Told after a backup, which the audit log now records. */
  onAudited: (root: string) => void;
}

/** Global-state key of the backup folder used last: the next dialog starts there. */
const LAST_BACKUP_FOLDER = 'veil.backup.folder';

async function pickFolder(title: string, openLabel: string, start: string | undefined): Promise<string | undefined> {
  const [picked] =
    (await vscode.window.showOpenDialog({ title, openLabel, canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: start ? vscode.Uri.file(start) : undefined })) ?? [];
  return picked?.fsPath;
}

/** Whether to keep the committed images too; undefined when the person cancelled. */
async function askWithOutputs(): Promise<boolean | undefined> {
  const items = [
    { label: 'State and originals', description: 'default', detail: 'The vault, audit log, review state, policy and recipients: the images themselves are kept wherever the dataset is', withOutputs: false },
    { label: 'Also the committed images', detail: 'The anonymized images too, encrypted like the state: a restore then needs nothing else', withOutputs: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Veil: what to back up', ignoreFocusOut: true });
  return picked?.withOutputs;
}

function blobs({ blobs: count, bytes }: BackupBlobCount): string {
  return `${count} blob${count === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB)`;
}

function backedUpMessage(result: BackupCreateResult): string {
  return (
    `Veil: backup generation ${result.generation} of ${basename(result.root)} written to ${result.destination}: ${blobs(result.written)} written and read back, ` +
    `${blobs(result.reused)} already there. Manifest sha256 ${result.manifestSha256?.slice(0, 12)}… (in the audit log).`
  );
}

function restoredMessage(result: BackupRestoreResult): string {
  if (result.alreadyRestored) return `Veil: ${result.root} was restored from generation ${result.generation} already (a run that did not see its end); nothing was written.`;
  const images = result.outputs > 0 ? `and ${result.outputs} committed image(s)` : 'without the images (put them back from where the dataset is kept before verifying)';
  return `Veil: restored generation ${result.generation} (written ${result.createdAt}) into ${result.root}: ${result.vaultObjects} original(s), the audit log of ${result.covers.entries} entries ${images}.`;
}

/** How many generations of each dataset to keep; undefined when the person cancelled. */
async function askKeep(): Promise<number | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Veil: how many backup generations of each dataset to keep (the newest)',
    prompt: 'The older ones are removed, with every blob no kept generation needs',
    value: '5',
    ignoreFocusOut: true,
    validateInput: (text) => (/^[1-9]\d{0,8}$/.test(text.trim()) ? undefined : 'a whole number of at least 1: a backup without a generation restores nothing'),
  });
  return typed === undefined ? undefined : Number(typed.trim());
}

/** "generation(s) 1, 2 of dataset 3f…; generation 4 of …", for the datasets losing any. */
function removedGenerations(result: BackupPruneResult): string {
  return result.datasets
    .filter((dataset) => dataset.removed.length > 0)
    .map((dataset) => `generation(s) ${dataset.removed.join(', ')} of dataset ${dataset.datasetId}`)
    .join('; ');
}

export function registerBackupCommands(deps: BackupDeps): void {
  registerVeilCommand(deps, 'veil.backupDataset', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Back Up');
    if (!folder) return undefined;
    const root = deps.index.rootOf(folder) ?? folder;
    const destination = await pickFolder(`Veil: the backup folder for ${basename(root)} (on another disk; never inside the dataset)`, 'Back Up Here', deps.memory.get<string>(LAST_BACKUP_FOLDER));
    if (!destination) return undefined;
    const withOutputs = await askWithOutputs();
    if (withOutputs === undefined) return undefined;
    await deps.memory.update(LAST_BACKUP_FOLDER, destination);
    const result = await withDaemonProgress(deps.supervisor, `Veil: backing up ${basename(root)}`, (client, options) => client.request('backup/create', { root, destination, withOutputs }, options), {
      describe: ({ done, total, file }) => `${done}/${total}${file ? ` ${file}` : ''}`,
    });
    for (const warning of result.warnings) deps.log.warn(`backup of ${root}: ${warning.file}: ${warning.message}`);
    if (result.cancelled) {
      void vscode.window.showInformationMessage(`Veil: backup cancelled; no generation was written (the ${blobs(result.written)} copied are reused by the next run).`);
      return result;
    }
    deps.onAudited(root);
    deps.log.info(`backup generation ${result.generation} of ${root}: manifest ${result.manifest} sha256 ${result.manifestSha256}; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
    if (result.warnings.length > 0) {
      void vscode.window.showWarningMessage(`${backedUpMessage(result)} ${result.warnings.length} warning(s): see the log.`, 'Show Log').then((choice) => choice && deps.log.show());
    } else void vscode.window.showInformationMessage(backedUpMessage(result));
    return result;
  });

  registerVeilCommand(deps, 'veil.restoreBackup', async () => {
    const backup = await pickFolder('Veil: the backup folder to restore from', 'Restore from Here', deps.memory.get<string>(LAST_BACKUP_FOLDER));
    if (!backup) return undefined;
    const root = await pickFolder('Veil: an empty folder to rebuild the dataset in', 'Rebuild Here', vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    if (!root) return undefined;
    const client = await deps.supervisor.client();
    const unlocked = await askIdentity(client, deps.memory, "Veil: a custodian's key (identity file): the backup is encrypted to the dataset's custodians");
    if (!unlocked) return undefined;
    const result = await withDaemonProgress(deps.supervisor, `Veil: restoring into ${basename(root)}`, (running, options) => running.request('backup/restore', { backup, root, ...unlocked }, options));
    deps.log.info(`restored ${root} from ${result.backup} generation ${result.generation} (manifest sha256 ${result.manifestSha256}); it holds the first ${result.covers.entries} entries: verify --checkpoint '${JSON.stringify(result.covers)}'`);
    void vscode.window.showInformationMessage(restoredMessage(result), 'Verify Dataset').then((choice) => {
      if (choice) void vscode.commands.executeCommand('veil.verifyDataset', vscode.Uri.file(result.root));
    });
    return result;
  });
  registerVeilCommand(deps, 'veil.pruneBackups', async () => {
    const backup = await pickFolder('Veil: the backup folder to prune', 'Prune This Backup', deps.memory.get<string>(LAST_BACKUP_FOLDER));
    if (!backup) return undefined;
    const keep = await askKeep();
    if (keep === undefined) return undefined;
    const client = await deps.supervisor.client();
    const unlocked = await askIdentity(client, deps.memory, "Veil: a custodian's key (identity file): only the encrypted manifests say which blobs the kept generations need");
    if (!unlocked) return undefined;
    const params = { backup, keep, ...unlocked };
    const planned = await client.request('backup/prune', { ...params, dryRun: true });
    const generations = removedGenerations(planned);
    if (!generations && planned.removed.blobs === 0) {
      void vscode.window.showInformationMessage(`Veil: nothing to prune in ${planned.backup}: no dataset has more than ${keep} generation(s), and every blob is named by one (${blobs(planned.kept)}).`);
      return planned;
    }
    const remove = 'Remove';
    const answer = await vscode.window.showWarningMessage(
      `Remove ${generations || 'no generation'} and ${blobs(planned.removed)} from ${basename(planned.backup)}?`,
      {
        modal: true,
        detail:
          `The ${keep} newest generation(s) of each dataset stay restorable (${blobs(planned.kept)} kept). What is removed is gone for good: ` +
          'a restore can no longer go back to those generations. Each dataset whose folder is here records the prune in its audit log first.',
      },
      remove,
    );
    if (answer !== remove) return undefined;
    const result = await withDaemonProgress(deps.supervisor, `Veil: pruning ${basename(planned.backup)}`, (running, options) => running.request('backup/prune', params, options));
    for (const dataset of result.datasets) {
      if (dataset.loggedIn) deps.onAudited(dataset.loggedIn);
      if (dataset.notLogged) deps.log.warn(`backup prune of ${result.backup}: dataset ${dataset.datasetId}: ${dataset.notLogged}`);
    }
    deps.log.info(`backup prune of ${result.backup}: ${removedGenerations(result) || 'no generation'} removed, ${blobs(result.removed)} freed, ${blobs(result.kept)} kept`);
    const message = `Veil: ${removedGenerations(result) || 'no generation'} removed from ${basename(result.backup)}; ${blobs(result.removed)} freed.`;
    void vscode.window.showInformationMessage(result.cancelled ? `${message} Cancelled before every blob was removed: prune again to finish.` : message);
    return result;
  });
}
