/** The command palette's Veil commands: detect (then the better-model offer), review, commit, verify (findings in Problems), the daemon's log. */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { registerVeilCommand } from './commandRegistration';
import { userMessage } from './errors';
import { detectionSettings, keepAudio, redactionSettings, signingKeyFile } from './config';
import type { CheckpointSignResult } from '../daemon/protocol';
import type { DatasetActivity } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { DisposableScope } from './disposables';
import { withDaemonProgress, type DaemonWork } from './progressNotification';
import { ReviewPanel } from './reviewPanel';
import { answerPossibleFacesRefusal } from './possibleFacesRefusal';
import { BetterModelOffer } from './betterModelOffer';
import { VerifyDiagnostics, reportVerify } from './verifyDiagnostics';
import { registerVerifyFullCommand } from './verifyFullCommand';

interface CommandDeps {
  scope: DisposableScope;
  supervisor: DaemonSupervisor;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** The Veil view's datasets: told of the folders opened, and of the progress and end of each batch. */
  datasets: DatasetActivity;
  /** The global state: the answer to the better-model offer is remembered there. */
  memory: vscode.Memento;
}

/** A long daemon call under a cancellable progress notification; one that `changes` a dataset is followed by the Veil view. */
async function withProgress<T>(deps: CommandDeps, title: string, work: DaemonWork<T>, changes?: string): Promise<T> {
  try {
    const onReport = changes === undefined ? undefined : ({ file }: { file?: string }) => deps.datasets.progressed(changes, file);
    return await withDaemonProgress(deps.supervisor, title, work, { onReport });
  } finally {
    if (changes) deps.datasets.settled(changes);
  }
}

/** What a commit's closing message says of the checkpoint signature it ended with (veil.signing.keyFile). */
function signatureNote(signed: CheckpointSignResult | undefined): string {
  if (!signed) return '';
  return `, signed by ${signed.signer}${signed.trusted ? '' : " (a key the dataset's policy does not list among its signers: verify reports the signature until it does)"}`;
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
  const diagnostics = deps.scope.add(new VerifyDiagnostics());
  const modelOffer = new BetterModelOffer(deps.memory, deps.supervisor, deps);

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
    if (result.processed > 0) modelOffer.afterDetection(result.model).catch((error: unknown) => deps.log.warn(`model offer: ${userMessage(error)}`));
    const summary = `${result.faces} faces proposed in ${result.images.length} images (model ${result.model}): ${result.processed} detected now, ${result.skipped} already done${result.cancelled ? '. Cancelled: run Detect Faces again to finish the rest (images already done are skipped)' : ''}.`;
    // Not awaited: the command's result must not wait until someone answers the notification.
    void vscode.window.showInformationMessage(`Veil: ${summary}`, 'Review').then((choice) => {
      if (choice === 'Review') ReviewPanel.show(root, deps.extensionUri, () => deps.supervisor.client(), deps.log);
    });
    return result;
  });

  register('veil.commitDataset', async (target) => {
    const root = await resolveDatasetFolder(target, 'Commit');
    if (!root) return;
    // Checked before asking: a commit without recipients would be refused after the person said yes.
    const client = await deps.supervisor.client();
    const [{ recipients }, { summary }] = await Promise.all([client.request('recipients/list', { root }), client.request('dataset/open', { root })]);
    if (!recipients.some((recipient) => recipient.listed)) {
      const createKey = 'Create Key…';
      // Not awaited: the command ends now; the button stays on the notification.
      void vscode.window
        .showErrorMessage(`Veil: ${basename(root)} has no recipients yet, so its originals could not be encrypted: create a key and add it to this dataset, then commit.`, createKey)
        .then((pick) => (pick === createKey ? vscode.commands.executeCommand('veil.createKey') : undefined));
      return undefined;
    }
    const reviewedOnly = 'Commit reviewed images';
    const includeUnreviewed = 'Include unreviewed (model boxes only)';
    const unreviewed = summary.images - summary.reviewed - summary.committed;
    const choice = await vscode.window.showWarningMessage(
      `${summary.reviewed} of ${summary.images} images are reviewed (${unreviewed} not yet, ${summary.committed} already committed). Replace them with anonymized versions, redacted with ${redactionSettings().mode} (the veil.redaction.mode setting)? The originals are encrypted into .veil/vault (only key holders can open them) and every change is written to the audit log.`,
      { modal: true },
      reviewedOnly,
      includeUnreviewed,
    );
    if (!choice) return;
    const { mode, margin, doubtMargin, shape } = redactionSettings();
    // Read before the commit starts: a malformed setting is refused before anything is written.
    const signingKey = signingKeyFile();
    const commit = (allowPossibleFaces?: string) =>
      withProgress(
        deps,
        'Veil: committing',
        (client, options) => client.request('dataset/commit', { root, mode, margin, doubtMargin, shape, keepAudio: keepAudio(), includeUnreviewed: choice === includeUnreviewed, allowPossibleFaces, signingKey }, options),
        root,
      );
    let result;
    try {
      result = await commit();
    } catch (error) {
      const answer = await answerPossibleFacesRefusal(error, root, (dataset) => ReviewPanel.show(dataset, deps.extensionUri, () => deps.supervisor.client(), deps.log));
      if (answer === 'not-this-refusal') throw error;
      if (answer === 'handled') return undefined;
      result = await commit(answer.override);
    }
    logFailures(deps, 'commit', result.failures);
    deps.log.info(`commit checkpoint for ${root}: ${JSON.stringify(result.checkpoint)} (keep it elsewhere to detect a cut audit log)`);
    await ReviewPanel.forRoot(root)?.reload();
    void vscode.window.showInformationMessage(
      `Veil: ${result.committed.length} image(s) anonymized now (${mode}), ${result.alreadyCommitted.length} already, ${result.excluded.length} excluded, ${result.leftAsIs.length} left as they were${result.cancelled ? '. Cancelled: run Commit again to finish the rest (images already committed are skipped)' : ''}. Audit checkpoint: ${result.checkpoint.entries} entries, head ${result.checkpoint.head.slice(0, 12)}…${signatureNote(result.signed)}`,
    );
    return result;
  });

  register('veil.verifyDataset', async (target) => {
    const root = await resolveDatasetFolder(target, 'Verify');
    if (!root) return;
    const result = await withProgress(deps, 'Veil: verifying', (client, options) => client.request('dataset/verify', { root }, options));
    reportVerify(result, diagnostics, deps.log);
    return result;
  });
  registerVerifyFullCommand({ ...deps, diagnostics });

  register('veil.showLog', async () => deps.log.show());
  register('veil.restartDaemon', async () => deps.supervisor.restart());
}
