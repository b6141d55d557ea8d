/**
 * Veil's extension entry: a composition root only. VS Code shows no notification when activation fails,
 * so the failure is shown here.
 */
import * as vscode from 'vscode';
import type { VeilApi } from './api';
import { registerCommands } from './commands';
import { RESTART_SETTINGS, SESSION_SETTINGS } from './config';
import { DatasetIndex } from './datasetIndex';
import { registerDatasetsView } from './datasetsView';
import { registerDatasetsViewCommands } from './datasetsViewCommands';
import { DaemonSupervisor } from './daemonSupervisor';
import { DisposableScope } from './disposables';
import { registerEditorPaths } from './editorPaths';
import { userMessage } from './errors';
import { registerReviewKeybindings } from './reviewKeybindings';
import { ReviewPanel } from './reviewPanel';
import { registerReviewPanelSerializer } from './reviewPanelSerializer';
import { registerWalkthroughContext } from './walkthroughContext';

const scope = new DisposableScope();

export function activate(context: vscode.ExtensionContext): VeilApi {
  try {
    const log = scope.add(vscode.window.createOutputChannel('Veil', { log: true }));
    const status = scope.add(vscode.window.createStatusBarItem('veil.daemon', vscode.StatusBarAlignment.Left));
    const supervisor = scope.add(new DaemonSupervisor(context.extensionPath, log, status));
    const datasets = scope.add(new DatasetIndex(supervisor, log, context.workspaceState));
    registerCommands({ scope, supervisor, log, extensionUri: context.extensionUri, datasets, memory: context.globalState });
    registerReviewKeybindings({ scope, log }, () => ReviewPanel.active());
    const tree = registerDatasetsView(scope, datasets);
    registerDatasetsViewCommands({ scope, log, index: datasets, tree });
    const editorPaths = registerEditorPaths({ scope, log, supervisor, index: datasets, memory: context.globalState });
    const walkthrough = registerWalkthroughContext(scope, datasets, supervisor, log);
    // Registered during activation: VS Code asks for the reviews open before a window reload right after it.
    scope.add(registerReviewPanelSerializer({ extensionUri: context.extensionUri, daemon: () => supervisor.client(), log, track: (folder) => datasets.track(folder) }));
    scope.add(ReviewPanel.onDidSaveRecords((saved) => datasets.saved(saved)));
    // Activated because the workspace holds a dataset (or for a command): the view has its counts before it is opened.
    void datasets.discover();
    // A new daemon knows nothing of the datasets the open reviews and the view showed (nor sends their changes): they load again.
    scope.add(
      supervisor.onDidRestart(() => {
        void ReviewPanel.reloadAll();
        void datasets.reloadAll({ start: false });
      }),
    );
    scope.add(
      vscode.workspace.onDidChangeConfiguration(async (event) => {
        const affects = (settings: string[]) => settings.some((setting) => event.affectsConfiguration(setting));
        if (affects(SESSION_SETTINGS)) void supervisor.applySessionSettings();
        if (!affects(RESTART_SETTINGS)) return;
        const choice = await vscode.window.showInformationMessage('Veil: the daemon must restart for this setting to apply.', 'Restart now');
        // Through the command, which reports a failed start like any other failure.
        if (choice) await vscode.commands.executeCommand('veil.restartDaemon');
      }),
    );
    context.subscriptions.push(scope);
    return {
      daemonStatus: () => supervisor.shown(),
      datasetsTree: tree,
      reviewedImage: (root) => ReviewPanel.forRoot(root)?.currentFile,
      auditTrail: editorPaths.trail,
      originalsInMemory: () => editorPaths.originals.count,
      datasetKeys: () => walkthrough.datasetKeys(),
    };
  } catch (error) {
    void vscode.window.showErrorMessage(`Veil failed to start: ${userMessage(error)}`);
    throw error;
  }
}

export function deactivate(): void {
  scope.dispose();
}
