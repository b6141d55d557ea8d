/** The command palette's Veil commands: detect, review, commit, verify, and the daemon's log. */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ProgressParams } from '../daemon/protocol';
import { registerVeilCommand } from './commandRegistration';
import { detectionSettings, redactionSettings } from './config';
import type { DatasetActivity } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { DisposableScope } from './disposables';
import { ReviewPanel } from './reviewPanel';

interface CommandDeps {
  scope: DisposableScope;
  supervisor: DaemonSupervisor;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** The Veil view's datasets: told of the folders opened, and of the progress and end of each batch. */
  datasets: DatasetActivity;
}

type Work<T> = (client: DaemonClient, options: { signal: AbortSignal; onProgress: (p: ProgressParams) => void }) => Promise<T>;

/** Runs a long daemon call under a cancellable progress notification; one that `changes` a dataset is followed by the Veil view. */
function withProgress<T>(deps: CommandDeps, title: string, work: Work<T>, changes?: string): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    const onProgress = ({ done, total, file, message }: ProgressParams) => {
      const percent = total > 0 ? (done / total) * 100 : 0;
      // Nothing to count (total 0): the daemon's own words say what it is doing.
      const counted = total > 0 ? `${done}/${total}${file ? ` ${file}` : ''}` : (message ?? '');
      progress.report({ increment: percent - reported, message: counted });
      reported = percent;
      if (changes) deps.datasets.progressed(changes, file);
    };
    try {
      return await work(await deps.supervisor.client(), { signal: controller.signal, onProgress });
    } finally {
      if (changes) deps.datasets.settled(changes);
    }
  });
}

function logFailures(deps: CommandDeps, what: string, failures: Array<{ file: string; message: string }>): void {
  if (failures.length === 0) return;
  deps.log.warn(`${what}: ${failures.length} file(s) failed`);
  for (const failure of failures) deps.log.warn(`  ${failure.file}: ${failure.message}`);
  void vscode.window.showWarningMessage(`Veil ${what}: ${failures.length} file(s) failed (${failures[0].file}: ${failures[0].message}).`, 'Show Log').then((choice) => {
    if (choice) deps.log.show();
  });
}

export function registerCommands(deps: CommandDeps): void {
  const register = (id: string, run: (target?: unknown) => Promise<unknown>) => registerVeilCommand(deps, id, run);

  register('veil.openReview', async (target) => {
    const root = await resolveDatasetFolder(target, 'Review');
    if (!root) return;
    deps.datasets.track(root);
    ReviewPanel.show(root, deps.extensionUri, () => deps.supervisor.client(), deps.log);
  });

  register('veil.detectFaces', async (target) => {
    const root = await resolveDatasetFolder(target, 'Detect');
    if (!root) return;
    const result = await withProgress(
      deps,
      'Veil: detecting faces',
      (client, options) => client.request('dataset/detect', { root, ...detectionSettings() }, options),
      root,
    );
    logFailures(deps, 'detection', result.failures);
    deps.log.info(`detect checkpoint for ${root}: ${JSON.stringify(result.checkpoint)} (keep it elsewhere to detect a cut audit log)`);
    await ReviewPanel.forRoot(root)?.reload();
    const summary = `${result.faces} faces proposed in ${result.images.length} images (model ${result.model})${result.cancelled ? '; cancelled' : ''}.`;
    // Not awaited: the command's result must not wait until someone answers the notification.
    void vscode.window.showInformationMessage(`Veil: ${summary}`, 'Review').then((choice) => {
      if (choice === 'Review') ReviewPanel.show(root, deps.extensionUri, () => deps.supervisor.client(), deps.log);
    });
    return result;
  });

  register('veil.commitDataset', async (target) => {
    const root = await resolveDatasetFolder(target, 'Commit');
    if (!root) return;
    const reviewedOnly = 'Commit reviewed images';
    const includeUnreviewed = 'Include unreviewed (model boxes only)';
    const choice = await vscode.window.showWarningMessage(
      'Replace the reviewed images with anonymized versions? The originals are encrypted into .veil/vault (only key holders can open them) and every change is written to the audit log.',
      { modal: true },
      reviewedOnly,
      includeUnreviewed,
    );
    if (!choice) return;
    const { mode, margin, shape } = redactionSettings();
    const result = await withProgress(
      deps,
      'Veil: committing',
      (client, options) => client.request('dataset/commit', { root, mode, margin, shape, includeUnreviewed: choice === includeUnreviewed }, options),
      root,
    );
    logFailures(deps, 'commit', result.failures);
    deps.log.info(`commit checkpoint for ${root}: ${JSON.stringify(result.checkpoint)} (keep it elsewhere to detect a cut audit log)`);
    await ReviewPanel.forRoot(root)?.reload();
    void vscode.window.showInformationMessage(
      `Veil: ${result.committed.length} image(s) anonymized, ${result.alreadyCommitted.length} already, ${result.excluded.length} excluded, ${result.leftAsIs.length} left as they were${result.cancelled ? ', cancelled' : ''}. Audit checkpoint: ${result.checkpoint.entries} entries, head ${result.checkpoint.head.slice(0, 12)}…`,
    );
    return result;
  });

  register('veil.verifyDataset', async (target) => {
    const root = await resolveDatasetFolder(target, 'Verify');
    if (!root) return;
    const result = await withProgress(deps, 'Veil: verifying', (client, options) => client.request('dataset/verify', { root }, options));
    for (const finding of result.findings) deps.log.warn(`verify ${finding.kind}: ${finding.file ? `${finding.file}: ` : ''}${finding.message}`);
    for (const limit of result.limits) deps.log.info(`verify could not prove: ${limit}`);
    const checked = `${result.checked.images} images, ${result.checked.auditEntries} audit entries, ${result.checked.vaultObjects} vault objects`;
    if (result.ok) void vscode.window.showInformationMessage(`Veil: verified ${checked}; no findings.`);
    else {
      void vscode.window.showErrorMessage(`Veil: verify found ${result.findings.length} problem(s) in ${checked}.`, 'Show Log').then((c) => c && deps.log.show());
    }
    return result;
  });

  register('veil.showLog', async () => deps.log.show());
  register('veil.restartDaemon', async () => deps.supervisor.restart());
}
