/**
 * The context keys that tick the steps of Veil's walkthrough (package.json `contributes.walkthroughs`, completion
 * events `onContext:`): set from what the Veil view's dataset index knows, so that a step is ticked when the person has
 * done it. VS Code ticks a step when its key turns true while the walkthrough service runs; a key already true when
 * that service starts does not tick it (README, "Getting started"). Detect and verify are ticked by their commands.
 *
 * A dataset has a key when a commit would encrypt its originals to someone: what the daemon's `recipients/list` calls
 * listed (`.veil/recipients.txt` and the recipients of the policy's roles that may open originals, less those the
 * policy holds back: daemon/policy/roles.ts). Asked of the daemon, never read from the files here, so that the step
 * and a commit agree on a dataset whose keys are only in its policy's roles.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { LAYOUT, VEIL_DIR } from '../daemon/dataset/layout';
import type { DaemonAccess, DatasetIndex } from './datasetIndex';
import type { DisposableScope } from './disposables';
import { userMessage } from './errors';

/** The keys Veil sets (package.json's walkthrough steps complete `onContext:` one of them). */
export const WALKTHROUGH_CONTEXT_KEYS = ['veil.hasDataset', 'veil.hasReviewed', 'veil.hasKey', 'veil.hasCommitted'] as const;
type WalkthroughKey = (typeof WALKTHROUGH_CONTEXT_KEYS)[number];

export interface WalkthroughContext {
  /** Each dataset (root) the daemon was asked about: whether a commit would encrypt its originals to someone. */
  datasetKeys(): Record<string, boolean>;
}

/**
 * Whether each dataset has a key, asked of the running daemon (a background question never starts it: the index's
 * reload after a start asks again). One question per dataset at a time; a change heard meanwhile asks once more.
 */
class DatasetKeys {
  private readonly keyed = new Map<string, boolean>();
  private readonly asking = new Map<string, { again: boolean }>();

  constructor(
    private readonly daemon: DaemonAccess,
    private readonly log: vscode.LogOutputChannel,
    private readonly changed: () => void,
  ) {}

  known(root: string): boolean | undefined {
    return this.keyed.get(root);
  }

  answers(): Record<string, boolean> {
    return Object.fromEntries(this.keyed);
  }

  any(): boolean {
    return [...this.keyed.values()].some(Boolean);
  }

  async ask(root: string): Promise<void> {
    const client = this.daemon.runningClient();
    const under = this.asking.get(root);
    if (under) under.again = true;
    if (!client || under) return;
    const question = { again: false };
    this.asking.set(root, question);
    try {
      const { recipients } = await client.request('recipients/list', { root });
      const has = recipients.some((recipient) => recipient.listed);
      if (this.keyed.get(root) !== has) {
        this.keyed.set(root, has);
        this.changed();
      }
    } catch (error) {
      this.log.warn(`walkthrough: the recipients of ${root} could not be read: ${userMessage(error)}`);
    } finally {
      this.asking.delete(root);
    }
    if (question.again) await this.ask(root);
  }
}

function keysNow(index: DatasetIndex, keys: DatasetKeys): Record<WalkthroughKey, boolean> {
  const datasets = index.all();
  const counts = datasets.map((dataset) => dataset.counts());
  return {
    'veil.hasDataset': datasets.length > 0,
    'veil.hasReviewed': counts.some((count) => (count?.reviewed ?? 0) + (count?.committed ?? 0) > 0),
    'veil.hasKey': keys.any(),
    'veil.hasCommitted': counts.some((count) => (count?.committed ?? 0) > 0),
  };
}

export function registerWalkthroughContext(scope: DisposableScope, index: DatasetIndex, daemon: DaemonAccess, log: vscode.LogOutputChannel): WalkthroughContext {
  const set = new Map<WalkthroughKey, boolean>();
  const update = () => {
    for (const [key, value] of Object.entries(keysNow(index, keys)) as Array<[WalkthroughKey, boolean]>) {
      if (set.get(key) === value) continue;
      set.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  };
  const keys = new DatasetKeys(daemon, log, update);
  // A dataset is asked when it is first seen, and after any change of its state while it has no key (a review change
  // costs one `recipients/list`: a dataset without a key has committed nothing, so its vault is empty).
  const askWhereNoKey = (root: string | undefined) => {
    for (const dataset of root === undefined ? index.all() : index.all().filter((known) => known.root === root)) {
      if (keys.known(dataset.root) !== true) void keys.ask(dataset.root);
    }
  };
  scope.add(
    index.onDidChange((root) => {
      update();
      askWhereNoKey(root);
    }),
  );
  // A key added or a policy applied changes no review state: the index says nothing of it (workspace folders only).
  for (const name of [LAYOUT.recipients, LAYOUT.policy]) {
    const watcher = scope.add(vscode.workspace.createFileSystemWatcher(`**/${VEIL_DIR}/${name}`));
    const changedFile = (uri: vscode.Uri) => {
      const folder = dirname(dirname(uri.fsPath));
      void keys.ask(index.rootOf(folder) ?? folder);
    };
    scope.add(watcher.onDidCreate(changedFile));
    scope.add(watcher.onDidChange(changedFile));
    scope.add(watcher.onDidDelete(changedFile));
  }
  update();
  askWhereNoKey(undefined);
  return { datasetKeys: () => keys.answers() };
}
