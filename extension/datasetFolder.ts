/** Which dataset a command acts on: the explorer selection or Veil view item, the open review, the workspace, or asked. */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { ReviewPanel } from './reviewPanel';

/** The URI a command was invoked on: a URI (explorer, tests) or an item of the Veil view, which carries its folder. */
function targetUri(target: unknown): vscode.Uri | undefined {
  if (target instanceof vscode.Uri) return target;
  const carried = typeof target === 'object' && target !== null ? (target as { resourceUri?: unknown }).resourceUri : undefined;
  return carried instanceof vscode.Uri ? carried : undefined;
}

export async function resolveDatasetFolder(target: unknown, purpose: string): Promise<string | undefined> {
  const uri = targetUri(target);
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
