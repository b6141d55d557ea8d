/**
 * "Reveal Original" (a committed image of the Veil view, an image file, or the palette): a key holder sees the original
 * of a committed image, read-only and from memory. The identity file is picked, its passphrase asked when `keys/inspect`
 * says it has one, the purpose asked last, just before the opening (the policy's purposes, `purposePrompt.ts`), and
 * `vault/read` (audited with the purpose before it decrypts, like `veil open`; a refusal is audited too) returns the
 * bytes, which OriginalDocuments shows in the image preview without writing them anywhere. Cancelling any question
 * opens and logs nothing.
 */
import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { pickCommittedImages } from './committedImagePick';
import { isNode } from './datasetsView';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { OriginalDocuments } from './originalDocuments';
import { askIdentity } from './identityPrompt';
import { askPurpose } from './purposePrompt';
import { realPath } from './realPath';

interface RevealDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  documents: OriginalDocuments;
  memory: vscode.Memento;
  /** Told after each opening or refusal, which the audit log now records. */
  onOpened: (root: string) => void;
}

interface CommittedImage {
  root: string;
  /** Relative to the dataset, with forward slashes. */
  file: string;
}

/** The image a reveal acts on: the Veil view's item, an image file of a listed dataset, or one picked among the committed. */
async function imageToReveal(target: unknown, index: DatasetIndex): Promise<CommittedImage | undefined> {
  if (isNode(target, 'image')) return { root: target.root, file: target.image.file };
  if (target instanceof vscode.Uri && target.scheme === 'file' && ((await vscode.workspace.fs.stat(target)).type & vscode.FileType.Directory) === 0) {
    const root = index.rootOf(dirname(target.fsPath));
    if (!root) throw new Error(`${target.fsPath} lies in no dataset of the Veil view`);
    return { root, file: relative(root, realPath(target.fsPath) ?? target.fsPath).split(sep).join('/') };
  }
  const picked = await pickCommittedImages(index, target, 'Reveal', { title: 'Veil: the committed image whose original to reveal', many: false });
  return picked && { root: picked.root, file: picked.files[0]! };
}

export function registerRevealOriginal(deps: RevealDeps): void {
  registerVeilCommand(deps, 'veil.revealOriginal', async (target) => {
    const image = await imageToReveal(target, deps.index);
    if (!image) return undefined;
    const client = await deps.supervisor.client();
    const unlocked = await askIdentity(client, deps.memory, 'Veil: the key (identity file) the originals were encrypted to');
    if (!unlocked) return undefined;
    const { identity, passphrase } = unlocked;
    const { policy } = await client.request('policy/show', { root: image.root });
    const purpose = await askPurpose(image.file, policy.purposes);
    if (purpose === undefined) return undefined;
    // A refusal is in the audit log too: the trail is read again either way.
    const read = await client.request('vault/read', { root: image.root, file: image.file, identity, passphrase, purpose }).finally(() => deps.onOpened(image.root));
    deps.log.info(`original of ${image.file} (${read.bytes} bytes) shown from memory for "${read.purpose}" with the key of ${read.recipient}; audit checkpoint ${JSON.stringify(read.checkpoint)}`);
    const uri = deps.documents.hold(image.root, image.file, Buffer.from(read.base64, 'base64'));
    await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
    vscode.window.setStatusBarMessage(`Veil: original of ${image.file}, from memory (audited)`, 15_000);
    return uri;
  });
}
