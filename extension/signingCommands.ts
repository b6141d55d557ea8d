/**
 * The editor's `veil signer create` and `veil checkpoint sign` (README "Signed checkpoints"): "Create Signing Key…"
 * writes a new Ed25519 key where the person chooses (`signer/create`: mode 0600, never inside a dataset) and can make
 * it the `veil.signing.keyFile` that commits from the editor sign with, or add its public key to a dataset's policy
 * draft ("Trust Signing Key…", which "Apply Policy" then puts in place); "Sign Audit Checkpoint" signs a dataset's
 * audit log now (`checkpoint/sign`) with that key.
 */
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointSignResult, SignerCreateResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import { reviewerName, signingKeyFile, veilHome } from './config';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { PolicyEditing } from './policyCommands';

interface SigningDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  policies: PolicyEditing;
  /** Told after each signature, which the audit log now records. */
  onAudited: (root: string) => void;
}

const USE_FOR_COMMITS = 'Use for Commits';
const ADD_TO_POLICY = 'Add to a Policy…';
const COPY = 'Copy Public Key';

/** The command that opens a draft of a dataset's policy trusting a key: (dataset target, public key), each asked when not given. */
const TRUST_SIGNER = 'veil.trustSigner';

async function askPublicKey(): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Veil: the public key to trust',
    prompt: 'As "Create Signing Key…" or `veil signer create` printed it',
    placeHolder: 'veil-ed25519:…',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim().startsWith('veil-ed25519:') ? undefined : 'A public key starts with veil-ed25519:'),
  });
  return typed?.trim();
}

/** Opens a draft of a dataset's policy that trusts `publicKey`, under a name the person gives. */
async function addSignerToPolicy(deps: SigningDeps, target: unknown, publicKey: string): Promise<vscode.TextDocument | undefined> {
  const folder = await resolveDatasetFolder(target, 'Trust Signer');
  if (!folder) return undefined;
  const name = await vscode.window.showInputBox({
    title: 'Veil: who holds this signing key?',
    prompt: "The name verify and the audit trail give the key's signatures (a person or a machine)",
    value: reviewerName() ?? userInfo().username,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'A name' : undefined),
  });
  if (name === undefined) return undefined;
  const root = deps.index.rootOf(folder) ?? folder;
  const draft = await deps.policies.openDraft(root, (policy) => ({
    ...policy,
    signers: [...policy.signers.filter((signer) => signer.publicKey !== publicKey), { name: name.trim(), publicKey }],
  }));
  vscode.window.setStatusBarMessage(`Veil: ${name.trim()}'s key is in a draft of the policy of ${basename(root)}: check it, then "Apply Policy"`, 15_000);
  return draft;
}

function signedMessage(root: string, signed: CheckpointSignResult): string {
  const trust = signed.trusted ? "a key the dataset's policy trusts" : "a key the dataset's policy does not list among its signers: verify reports the signature until it does";
  return `Veil: signed the first ${signed.signed.entries} entries of the audit log of ${basename(root)} (head ${signed.signed.head.slice(0, 12)}…) as ${signed.signer}, ${trust}.`;
}

export function registerSigningCommands(deps: SigningDeps): void {
  registerVeilCommand(deps, 'veil.createSigner', async () => {
    const target = await vscode.window.showSaveDialog({
      title: 'Veil: where to save the new signing key (private: keep it outside every dataset, ideally off this machine)',
      defaultUri: vscode.Uri.file(join(veilHome(), 'signing-key.pem')),
      saveLabel: 'Create Signing Key',
      filters: { 'PEM private key': ['pem'] },
    });
    if (!target) return undefined;
    const created: SignerCreateResult = await (await deps.supervisor.client()).request('signer/create', { out: target.fsPath });
    deps.log.info(`signing key written to ${created.keyFile}; public key ${created.publicKey}`);
    void vscode.window
      .showInformationMessage(
        `Veil: signing key written to ${created.keyFile} (readable by you only). Its public key: ${created.publicKey}. A policy's signers must list it for verify to trust its signatures.`,
        USE_FOR_COMMITS,
        ADD_TO_POLICY,
        COPY,
      )
      .then((choice) => {
        // Through the command (its failures shown like any other's), or a setting and the clipboard, which do not fail.
        if (choice === USE_FOR_COMMITS) void vscode.workspace.getConfiguration('veil').update('signing.keyFile', created.keyFile, vscode.ConfigurationTarget.Global);
        else if (choice === ADD_TO_POLICY) void vscode.commands.executeCommand(TRUST_SIGNER, undefined, created.publicKey);
        else if (choice === COPY) void vscode.env.clipboard.writeText(created.publicKey);
      });
    return created;
  });

  registerVeilCommand(deps, 'veil.signCheckpoint', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Sign');
    if (!folder) return undefined;
    const root = deps.index.rootOf(folder) ?? folder;
    const key = signingKeyFile() ?? (await pickKeyFile());
    if (!key) return undefined;
    const signed = await (await deps.supervisor.client()).request('checkpoint/sign', { root, key });
    deps.onAudited(root);
    deps.log.info(`checkpoint of ${root} signed by ${signed.signer} (${signed.publicKey}); audit checkpoint ${JSON.stringify(signed.checkpoint)}`);
    if (signed.trusted) void vscode.window.showInformationMessage(signedMessage(root, signed));
    else {
      void vscode.window.showWarningMessage(signedMessage(root, signed), ADD_TO_POLICY).then((choice) => {
        if (choice) void vscode.commands.executeCommand(TRUST_SIGNER, vscode.Uri.file(root), signed.publicKey);
      });
    }
    return signed;
  });

  registerVeilCommand(deps, TRUST_SIGNER, async (target, publicKeyGiven) => {
    const publicKey = typeof publicKeyGiven === 'string' && publicKeyGiven !== '' ? publicKeyGiven : await askPublicKey();
    return publicKey ? addSignerToPolicy(deps, target, publicKey) : undefined;
  });
}

/** A signing key picked in a dialog, when `veil.signing.keyFile` names none. */
async function pickKeyFile(): Promise<string | undefined> {
  const [picked] =
    (await vscode.window.showOpenDialog({
      title: 'Veil: the signing key (set veil.signing.keyFile to skip this question)',
      defaultUri: vscode.Uri.file(veilHome()),
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Sign',
    })) ?? [];
  return picked?.fsPath;
}
