/**
 * The editor's `veil restore`, `veil hold`, `veil release` and `veil purge` (README "Retention, purge and restore"):
 * "Restore Original for Re-review…", "Hold Original…" and "Release Hold…" on committed images of the Veil view (or
 * picked from the palette), and "Purge Expired Originals…" on a dataset. Each goes through the daemon's methods
 * (`vault/restore`, `retention/hold|release`, `vault/purge`), which audit every decision before it takes effect; a
 * purge is first run as a dry run, and the person confirms what it will destroy.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { countRetentionStates, type VaultPurgeResult, type VaultRestoreResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { pickCommittedImages, type CommittedPick } from './committedImagePick';
import { resolveDatasetFolder } from './datasetFolder';
import { isNode } from './datasetsView';
import type { DaemonSupervisor } from './daemonSupervisor';
import { askIdentity } from './identityPrompt';
import { withDaemonProgress } from './progressNotification';
import { askPurpose } from './purposePrompt';
import { ReviewPanel } from './reviewPanel';

interface RetentionDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** The global state: the identity file used last. */
  memory: vscode.Memento;
  /** Told after each change, which the audit log now records. */
  onAudited: (root: string) => void;
}

/** Committed images of one dataset. */
type Chosen = CommittedPick;

/** The committed images a command was invoked on in the Veil view (the clicked one, or the whole selection: `more[0]`). */
function invokedOn(target: unknown, more: unknown[]): Chosen | undefined {
  if (!isNode(target, 'image')) return undefined;
  const selected = Array.isArray(more[0]) && more[0].every((node) => isNode(node, 'image') && node.root === target.root) ? more[0] : [target];
  return { root: target.root, files: selected.map((node) => (node as typeof target).image.file) };
}


function described(files: readonly string[]): string {
  return files.length === 1 ? files[0] : `${files.length} images`;
}

function askReason(title: string, prompt: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    placeHolder: 'The reason (recorded in the audit log with your name)',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Say why (Escape cancels)' : undefined),
  });
}

/** When a hold ends: '' for "until released", a date or a time with its offset; undefined when cancelled. */
function askUntil(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Veil: hold until when?',
    prompt: 'A date (2027-01-31: the hold lasts through that day, UTC) or a time with its offset; leave empty to hold until released',
    ignoreFocusOut: true,
    validateInput: (value) => (value === '' || /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value.trim()) ? undefined : 'A date such as 2027-01-31, or empty'),
  });
}

/** The dataset and its open review are read again (the Veil view moves the images), and the audit trail is told. */
async function changed(deps: RetentionDeps, root: string): Promise<void> {
  deps.index.settled(root);
  deps.onAudited(root);
  await ReviewPanel.forRoot(root)?.reload();
}

function restoredMessage(result: VaultRestoreResult): string {
  const restored = result.restored.length === 0 ? 'no original restored' : `${described(result.restored)} restored: ${result.restored.length === 1 ? 'it is' : 'they are'} unreviewed again, boxes kept`;
  const failed = result.failures.length === 0 ? '' : `; ${result.failures.length} not restored (${result.failures[0].file}: ${result.failures[0].message})`;
  return `Veil: ${restored}${failed}. Detect again with a better model, review, then commit to anonymize again.`;
}

/** The files whose expired originals a confirmed purge names (naming them purges them whatever the policy's action). */
function expiredFiles(dryRun: VaultPurgeResult): string[] {
  return [...new Set(dryRun.originals.filter((item) => item.state === 'expired').flatMap((item) => item.files))];
}

export function registerRetentionCommands(deps: RetentionDeps): void {
  registerVeilCommand(deps, 'veil.restoreOriginal', async (target, ...more) => {
    const chosen = invokedOn(target, more) ?? (await pickCommittedImages(deps.index, undefined, 'Restore', { title: 'Veil: committed images to restore', many: true }));
    if (!chosen) return undefined;
    const restore = 'Restore';
    const answer = await vscode.window.showWarningMessage(
      `Put the original of ${described(chosen.files)} back in ${basename(chosen.root)} in place of ${chosen.files.length === 1 ? 'its anonymized image' : 'their anonymized images'}?`,
      {
        modal: true,
        detail: 'The faces are visible in the dataset again until the next commit anonymizes them. The images become unreviewed (their boxes are kept), so they can be detected again with a better model. The opening and the restore are written to the audit log with the purpose you give and your key.',
      },
      restore,
    );
    if (answer !== restore) return undefined;
    const client = await deps.supervisor.client();
    const { policy } = await client.request('policy/show', { root: chosen.root });
    const purpose = await askPurpose(described(chosen.files), policy.purposes);
    if (purpose === undefined) return undefined;
    const key = await askIdentity(client, deps.memory, 'Veil: the key (identity file) that opens the originals');
    if (!key) return undefined;
    const result = await withDaemonProgress(deps.supervisor, 'Veil: restoring originals', (daemon, options) =>
      daemon.request('vault/restore', { root: chosen.root, files: chosen.files, ...key, purpose }, options),
    );
    deps.log.info(`restore in ${chosen.root}: ${result.restored.join(', ') || 'none'}; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
    for (const failure of result.failures) deps.log.warn(`  not restored ${failure.file}: ${failure.message}`);
    await changed(deps, chosen.root);
    const show = result.failures.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(restoredMessage(result));
    return result;
  });

  registerVeilCommand(deps, 'veil.holdOriginal', async (target, ...more) => {
    const chosen = invokedOn(target, more) ?? (await pickCommittedImages(deps.index, undefined, 'Hold', { title: 'Veil: committed images to hold', many: true }));
    if (!chosen) return undefined;
    const reason = await askReason(`Veil: why keep the original of ${described(chosen.files)} past its retention?`, 'e.g. "legal hold, case 2026-17": a purge refuses it while the hold lasts');
    if (reason === undefined) return undefined;
    const until = await askUntil();
    if (until === undefined) return undefined;
    const client = await deps.supervisor.client();
    const result = await client.request('retention/hold', { root: chosen.root, files: chosen.files, reason, until: until.trim() || undefined });
    await changed(deps, chosen.root);
    void vscode.window.showInformationMessage(`Veil: the original of ${described(result.files)} is held ${until.trim() ? `until ${until.trim()}` : 'until released'} ("${reason.trim()}"); the hold is in the audit log.`);
    return result;
  });

  registerVeilCommand(deps, 'veil.releaseHold', async (target, ...more) => {
    const chosen = invokedOn(target, more) ?? (await pickCommittedImages(deps.index, undefined, 'Release', { title: 'Veil: committed images to release', many: true }));
    if (!chosen) return undefined;
    const reason = await askReason(`Veil: why release the hold on ${described(chosen.files)}?`, 'e.g. "case closed": its original is purged once its retention runs out');
    if (reason === undefined) return undefined;
    const client = await deps.supervisor.client();
    const result = await client.request('retention/release', { root: chosen.root, files: chosen.files, reason });
    await changed(deps, chosen.root);
    void vscode.window.showInformationMessage(`Veil: the hold on ${described(result.files)} is released ("${reason.trim()}"); the release is in the audit log.`);
    return result;
  });

  registerVeilCommand(deps, 'veil.purgeOriginals', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Purge');
    if (!folder) return undefined;
    const root = deps.index.rootOf(folder) ?? folder;
    const client = await deps.supervisor.client();
    const dryRun = await client.request('vault/purge', { root, dryRun: true });
    const files = expiredFiles(dryRun);
    if (files.length === 0 && dryRun.finished.length === 0) {
      void vscode.window.showInformationMessage(`Veil: no original of ${basename(root)} is past its retention (${countRetentionStates(dryRun.originals) || 'none in the vault'}).`);
      return dryRun;
    }
    const purge = 'Purge';
    const count = dryRun.originals.filter((item) => item.state === 'expired').length;
    const answer = await vscode.window.showWarningMessage(
      `Purge ${count} original(s) of ${basename(root)} past their retention?`,
      {
        modal: true,
        detail:
          'Each is destroyed for good (crypto-shredding): no key opens it any more, and its anonymized image is no longer pseudonymous. ' +
          'Copies elsewhere (backups, opened originals) are not touched: purge or expire them too. Each removal is written to the audit log first.',
      },
      purge,
    );
    if (answer !== purge) return undefined;
    const result = await withDaemonProgress(deps.supervisor, 'Veil: purging originals', (daemon, options) =>
      daemon.request('vault/purge', { root, files: files.length > 0 ? files : undefined }, options),
    );
    deps.log.info(`purge in ${root}: ${result.purged.length} purged, ${result.finished.length} finished; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
    for (const refusal of result.refused) deps.log.warn(`  not purged ${refusal.file}: ${refusal.message}`);
    await changed(deps, root);
    void vscode.window.showInformationMessage(`Veil: ${result.purged.length} original(s) of ${basename(root)} purged (crypto-shredded); each removal is in the audit log.`);
    return result;
  });
}
