/**
 * The context keys that tick the steps of Veil's walkthrough (package.json `contributes.walkthroughs`, completion
 * events `onContext:`): set from what the Veil view's dataset index knows, so that a step is ticked when the person has
 * done it. VS Code ticks a step when its key turns true while the walkthrough service runs; a key already true when
 * that service starts does not tick it (README, "Getting started"). Detect and verify are ticked by their commands.
 */
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { LAYOUT, VEIL_DIR, veilPath } from '../daemon/dataset/layout';
import type { DatasetIndex } from './datasetIndex';
import type { DisposableScope } from './disposables';

/** The keys Veil sets (package.json's walkthrough steps complete `onContext:` one of them). */
export const WALKTHROUGH_CONTEXT_KEYS = ['veil.hasDataset', 'veil.hasReviewed', 'veil.hasKey', 'veil.hasCommitted'] as const;
type WalkthroughKey = (typeof WALKTHROUGH_CONTEXT_KEYS)[number];

/** A dataset has a key when its recipients file names one (the file is not empty). */
function hasRecipients(root: string): boolean {
  try {
    return statSync(veilPath(root, 'recipients')).size > 0;
  } catch {
    return false;
  }
}

function keysNow(index: DatasetIndex): Record<WalkthroughKey, boolean> {
  const datasets = index.all();
  const counts = datasets.map((dataset) => dataset.counts());
  return {
    'veil.hasDataset': datasets.length > 0,
    'veil.hasReviewed': counts.some((count) => (count?.reviewed ?? 0) + (count?.committed ?? 0) > 0),
    'veil.hasKey': datasets.some((dataset) => hasRecipients(dataset.root)),
    'veil.hasCommitted': counts.some((count) => (count?.committed ?? 0) > 0),
  };
}

export function registerWalkthroughContext(scope: DisposableScope, index: DatasetIndex): void {
  const set = new Map<WalkthroughKey, boolean>();
  const update = () => {
    for (const [key, value] of Object.entries(keysNow(index)) as Array<[WalkthroughKey, boolean]>) {
      if (set.get(key) === value) continue;
      set.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  };
  scope.add(index.onDidChange(update));
  // A key added to a dataset changes no review state: the index says nothing of it.
  const recipients = scope.add(vscode.workspace.createFileSystemWatcher(`**/${VEIL_DIR}/${LAYOUT.recipients}`));
  scope.add(recipients.onDidCreate(update));
  scope.add(recipients.onDidChange(update));
  update();
}
