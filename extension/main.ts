/**
 * Veil's extension entry: a composition root only. VS Code shows no notification when activation fails,
 * so the failure is shown here.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { RESTART_SETTINGS } from './config';
import { DaemonSupervisor } from './daemonSupervisor';
import { DisposableScope } from './disposables';
import { userMessage } from './errors';

const scope = new DisposableScope();

export function activate(context: vscode.ExtensionContext): void {
  try {
    const log = scope.add(vscode.window.createOutputChannel('Veil', { log: true }));
    const status = scope.add(vscode.window.createStatusBarItem('veil.daemon', vscode.StatusBarAlignment.Left));
    const supervisor = scope.add(new DaemonSupervisor(context.extensionPath, log, status));
    registerCommands({ scope, supervisor, log, extensionUri: context.extensionUri });
    scope.add(
      vscode.workspace.onDidChangeConfiguration(async (event) => {
        if (!RESTART_SETTINGS.some((setting) => event.affectsConfiguration(setting))) return;
        const choice = await vscode.window.showInformationMessage('Veil: the daemon must restart for this setting to apply.', 'Restart now');
        if (choice) await supervisor.restart();
      }),
    );
    context.subscriptions.push(scope);
  } catch (error) {
    void vscode.window.showErrorMessage(`Veil failed to start: ${userMessage(error)}`);
    throw error;
  }
}

export function deactivate(): void {
  scope.dispose();
}
