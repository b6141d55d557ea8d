/**
 * Picking committed images from the palette (Reveal Original, Restore, Hold, Release): a dataset, then its committed
 * images as the Veil view lists them. One home for "a dataset without a committed image has nothing to pick".
 */
import * as vscode from 'vscode';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import { facesDescription } from './datasetLabels';

export interface CommittedPick {
  root: string;
  /** Relative to the dataset, with forward slashes. */
  files: string[];
}

/** The committed images picked in the dataset `target` names (asked for when it names none); undefined when cancelled. */
export async function pickCommittedImages(index: DatasetIndex, target: unknown, verb: string, pick: { title: string; many: boolean }): Promise<CommittedPick | undefined> {
  const folder = await resolveDatasetFolder(target, verb);
  if (!folder) return undefined;
  const root = index.rootOf(folder) ?? folder;
  const committed = index.get(root)?.snapshot?.list('committed') ?? [];
  if (committed.length === 0) throw new Error(`${root} has no committed image whose original the vault keeps`);
  const items = committed.map((image) => ({ label: image.file, description: 'faces' in image ? facesDescription(image) : undefined }));
  const picked = pick.many
    ? await vscode.window.showQuickPick(items, { title: pick.title, canPickMany: true, ignoreFocusOut: true })
    : await vscode.window.showQuickPick(items, { title: pick.title, ignoreFocusOut: true }).then((item) => (item ? [item] : undefined));
  return picked && picked.length > 0 ? { root, files: picked.map((item) => item.label) } : undefined;
}
