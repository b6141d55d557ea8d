/**
 * The editor's `veil policy show|init|apply` (README "Governance: policy"):
 * - "Show Policy": the effective policy (each absent field at its default, from `policy/show`) in a read-only
 *   `veil-policy:` editor, read again after every change made here;
 * - "Create Starter Policy": `policy/init` (refused when the dataset has one);
 * - "Edit Policy…": an untitled JSON draft holding the effective policy, tied to its dataset;
 * - "Apply Policy": the JSON of the active editor (a draft, the dataset's own `.veil/policy.json` after a hand edit,
 *   or any policy file) put in place with `policy/apply`, which checks it whole first (a malformed policy is refused
 *   naming the field) and writes its audit entry before the file is replaced.
 * The extension never writes `.veil/policy.json` itself: a draft goes to the daemon through a private temporary file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import * as vscode from 'vscode';
import type { Policy, PolicyChangeResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';

export const POLICY_SCHEME = 'veil-policy';
/** The name of the read-only editor of a dataset's effective policy, under its `.veil/`. */
const EFFECTIVE_NAME = 'effective-policy.json';
/** A context key: the active editor is a draft of a dataset's policy (its title offers "Apply Policy"). */
const DRAFT_ACTIVE_KEY = 'veil.policyDraftActive';

interface PolicyDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** Told after each change, which the audit log now records. */
  onAudited: (root: string) => void;
}

export interface PolicyEditing {
  /** Opens a draft of the effective policy of `root`, changed by `change` first (a signer added, say). */
  openDraft(root: string, change?: (policy: Policy) => Policy): Promise<vscode.TextDocument>;
}

function policyJson(policy: Policy): string {
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/** The read-only documents of the effective policies: `veil-policy:<root>/.veil/effective-policy.json`. */
class EffectivePolicies implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly supervisor: DaemonSupervisor) {}

  uriFor(root: string): vscode.Uri {
    return vscode.Uri.from({ scheme: POLICY_SCHEME, path: posix.join(root, '.veil', EFFECTIVE_NAME) });
  }

  rootOf(uri: vscode.Uri): string {
    return dirname(dirname(uri.path));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const shown = await (await this.supervisor.client()).request('policy/show', { root: this.rootOf(uri) });
    return policyJson(shown.policy);
  }

  policyChanged(root: string): void {
    this.changed.fire(this.uriFor(root));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The dataset a `.veil/policy.json` file belongs to. */
function datasetOfPolicyFile(uri: vscode.Uri): string | undefined {
  return uri.scheme === 'file' && basename(uri.fsPath) === 'policy.json' && basename(dirname(uri.fsPath)) === '.veil' ? dirname(dirname(uri.fsPath)) : undefined;
}

/** The document "Apply Policy" acts on: the one the editor title's button was pressed on, else the active editor's. */
function documentToApply(target: unknown): vscode.TextDocument | undefined {
  if (target instanceof vscode.Uri) return vscode.workspace.textDocuments.find((document) => document.uri.toString() === target.toString());
  return vscode.window.activeTextEditor?.document;
}

/** Applies the policy in `text` through a private temporary file outside every dataset (removed after). */
async function applyText(supervisor: DaemonSupervisor, root: string, text: string): Promise<PolicyChangeResult> {
  const folder = await mkdtemp(join(tmpdir(), 'veil-policy-'));
  try {
    const file = join(folder, 'policy.json');
    await writeFile(file, text, { mode: 0o600 });
    return await (await supervisor.client()).request('policy/apply', { root, file });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export function registerPolicyCommands(deps: PolicyDeps): PolicyEditing {
  const effective = deps.scope.add(new EffectivePolicies(deps.supervisor));
  deps.scope.add(vscode.workspace.registerTextDocumentContentProvider(POLICY_SCHEME, effective));
  /** Drafts by document URI: the dataset each was opened for. */
  const drafts = new Map<string, string>();
  deps.scope.add(vscode.workspace.onDidCloseTextDocument((document) => drafts.delete(document.uri.toString())));
  const followActive = (editor: vscode.TextEditor | undefined) => void vscode.commands.executeCommand('setContext', DRAFT_ACTIVE_KEY, editor !== undefined && drafts.has(editor.document.uri.toString()));
  deps.scope.add(vscode.window.onDidChangeActiveTextEditor(followActive));

  const datasetRoot = async (target: unknown, verb: string) => {
    const folder = await resolveDatasetFolder(target, verb);
    return folder && (deps.index.rootOf(folder) ?? folder);
  };

  const changed = (root: string, result: PolicyChangeResult) => {
    effective.policyChanged(root);
    deps.onAudited(root);
    deps.log.info(`policy of ${result.root} now sha256 ${result.sha256}; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
  };

  const showEffective = async (root: string) => {
    const shown = await (await deps.supervisor.client()).request('policy/show', { root });
    effective.policyChanged(root);
    await vscode.window.showTextDocument(effective.uriFor(shown.root), { preview: true });
    const where = shown.present ? `.veil/policy.json (sha256 ${shown.sha256?.slice(0, 12)}…), each absent field at its default` : 'no .veil/policy.json: every field at its default';
    vscode.window.setStatusBarMessage(`Veil: the effective policy of ${basename(shown.root)}: ${where}`, 15_000);
    return shown;
  };

  const openDraft: PolicyEditing['openDraft'] = async (root, change = (policy) => policy) => {
    const shown = await (await deps.supervisor.client()).request('policy/show', { root });
    const document = await vscode.workspace.openTextDocument({ language: 'json', content: policyJson(change(shown.policy)) });
    drafts.set(document.uri.toString(), shown.root);
    followActive(await vscode.window.showTextDocument(document));
    return document;
  };

  registerVeilCommand(deps, 'veil.showPolicy', async (target) => {
    const root = await datasetRoot(target, 'Show Policy');
    return root ? showEffective(root) : undefined;
  });

  registerVeilCommand(deps, 'veil.initPolicy', async (target) => {
    const root = await datasetRoot(target, 'Create Policy');
    if (!root) return undefined;
    const result = await (await deps.supervisor.client()).request('policy/init', { root });
    changed(root, result);
    await showEffective(root);
    void vscode.window.showInformationMessage(`Veil: ${basename(root)} has the starter policy now (audited). Change it with "Edit Policy…", then "Apply Policy".`, 'Edit Policy…').then((choice) => {
      if (choice) void vscode.commands.executeCommand('veil.editPolicy', vscode.Uri.file(root));
    });
    return result;
  });

  registerVeilCommand(deps, 'veil.editPolicy', async (target) => {
    // From the read-only view of a policy: a draft of that dataset's.
    const root = target instanceof vscode.Uri && target.scheme === POLICY_SCHEME ? effective.rootOf(target) : await datasetRoot(target, 'Edit Policy');
    if (!root) return undefined;
    const document = await openDraft(root);
    vscode.window.setStatusBarMessage(`Veil: a draft of the policy of ${basename(root)}: edit it, then "Apply Policy" (✓ in the editor's title)`, 15_000);
    return document;
  });

  registerVeilCommand(deps, 'veil.applyPolicy', async (target) => {
    const document = documentToApply(target);
    if (!document) throw new Error('Apply Policy puts the policy in the active editor in place: open a draft with "Edit Policy…" (or a policy file) first');
    if (document.uri.scheme === POLICY_SCHEME) throw new Error('this is the effective policy, read-only: "Edit Policy…" opens a draft of it to change and apply');
    const root = drafts.get(document.uri.toString()) ?? datasetOfPolicyFile(document.uri) ?? (await datasetRoot(undefined, 'Apply Policy'));
    if (!root) return undefined;
    const apply = 'Apply Policy';
    const choice = await vscode.window.showWarningMessage(
      `Put this policy in place for ${basename(root)}?`,
      { modal: true, detail: 'Veil checks it whole first (a malformed policy is refused, naming the field) and records the change in the audit log before the file is replaced.' },
      apply,
    );
    if (choice !== apply) return undefined;
    let result: PolicyChangeResult;
    if (document.isUntitled) result = await applyText(deps.supervisor, root, document.getText());
    else {
      if (document.isDirty) await document.save();
      result = await (await deps.supervisor.client()).request('policy/apply', { root, file: document.uri.fsPath });
    }
    changed(root, result);
    if (document.isUntitled && vscode.window.activeTextEditor?.document === document) {
      // Applied: the draft is done with (closed without asking to save it), and the policy in place is shown.
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await showEffective(root);
    }
    void vscode.window.showInformationMessage(`Veil: the policy of ${basename(root)} is in place (sha256 ${result.sha256.slice(0, 12)}…); the change is in the audit log.`);
    return result;
  });

  return { openDraft };
}
