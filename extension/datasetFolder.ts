/** Which dataset a command acts on: the explorer selection, the open review, the workspace, or asked. */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { ReviewPanel } from './reviewPanel';

export async function resolveDatasetFolder(uri: vscode.Uri | undefined, purpose: string): Promise<string | undefined> {
  if (uri?.scheme === 'file') return statSync(uri.fsPath).isDirectory() ? uri.fsPath : dirname(uri.fsPath);
  const active = ReviewPanel.active();
  if (active) return active.root;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0].uri.fsPath;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: folders[0]?.uri,
    openLabel: purpose,
    title: `Veil: choose the dataset folder to ${purpose.toLowerCase()}`,
  });
  return picked?.[0]?.fsPath;
}
