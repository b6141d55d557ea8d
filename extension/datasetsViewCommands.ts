/**
 * The commands of the Veil view: open a folder with Veil (its welcome button), review an image (a click on it),
 * open a dataset's audit trail, show more images of a group, read every dataset again.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import { isNode, type DatasetsTree } from './datasetsView';
import { ReviewPanel } from './reviewPanel';

interface ViewCommandDeps extends CommandHost {
  index: DatasetIndex;
  tree: DatasetsTree;
}

export function registerDatasetsViewCommands(deps: ViewCommandDeps): void {
  registerVeilCommand(deps, 'veil.openFolder', async () => {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: 'Open with Veil',
      title: 'Veil: choose a folder of images to review',
    });
    if (picked?.[0]) await vscode.commands.executeCommand('veil.openReview', picked[0]);
  });

  registerVeilCommand(deps, 'veil.reviewImage', async (node) => {
    if (!isNode(node, 'image')) throw new Error('Review Image works on an image of the Veil view');
    await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(node.root));
    ReviewPanel.forRoot(node.root)?.showImage(node.image.file);
  });

  registerVeilCommand(deps, 'veil.openAuditTrail', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Open');
    if (!folder) return undefined;
    const root = deps.index.rootOf(folder) ?? folder;
    const log = join(root, '.veil', 'audit.jsonl');
    if (!existsSync(log)) {
      void vscode.window.showInformationMessage(`Veil: ${basename(root)} has no audit trail yet (it starts with the first detection).`);
      return undefined;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(log), { preview: true });
    // A hash chain: an edit made here by mistake would break it (and `veil verify` would say so). The audit view is separate work.
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
    return log;
  });

  registerVeilCommand(deps, 'veil.showMoreImages', async (node) => {
    if (isNode(node, 'more')) deps.tree.showMore(node);
  });

  registerVeilCommand(deps, 'veil.refreshDatasets', () => deps.index.reloadAll({ start: true }));
}
