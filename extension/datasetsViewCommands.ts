/**
 * The commands of the Veil view: open a folder with Veil (its welcome button), review an image (a click on it, or
 * "Review in Veil" on an image in the Explorer), show more images of a group, read every dataset again. A
 * dataset's audit trail opens in its own view (auditTrailCommands.ts).
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
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

  registerVeilCommand(deps, 'veil.reviewImage', async (target) => {
    const image = imageToReview(target, deps.index);
    await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(image.root));
    ReviewPanel.forRoot(image.root)?.showImageFile(image.path);
  });

  registerVeilCommand(deps, 'veil.showMoreImages', async (node) => {
    if (isNode(node, 'more')) deps.tree.showMore(node);
  });

  registerVeilCommand(deps, 'veil.refreshDatasets', () => deps.index.reloadAll({ start: true }));
}

/**
 * The image a "review image" acts on and the folder whose review shows it: an image of the Veil view in its dataset,
 * or an image file (the Explorer) in the listed dataset it lies in, else in its own folder.
 */
function imageToReview(target: unknown, index: DatasetIndex): { root: string; path: string } {
  if (isNode(target, 'image')) return { root: target.root, path: join(target.root, target.image.file) };
  if (target instanceof vscode.Uri && target.scheme === 'file') {
    const folder = dirname(target.fsPath);
    return { root: index.rootOf(folder) ?? folder, path: target.fsPath };
  }
  throw new Error('Review in Veil works on an image file or an image of the Veil view');
}
