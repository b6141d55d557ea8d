/**
 * "Reveal Original" (a committed image of the Veil view, an image file, or the palette): a key holder sees the original
 * of a committed image, read-only and from memory. The identity file is picked, its passphrase asked when `keys/inspect`
 * says it has one, the purpose asked last, just before the opening (the policy's purposes, `purposePrompt.ts`), and
 * `vault/read` (audited with the purpose before it decrypts, like `veil open`; a refusal is audited too) returns the
 * bytes, which OriginalDocuments shows in the image preview without writing them anywhere. Cancelling any question
 * opens and logs nothing.
 *
 * An original above MAX_READ_ORIGINAL_BYTES (a long video; `vault/read` refuses it, before any audit entry) goes
 * through `vault/open` instead, streamed into a private temp copy (privateTempCopies.ts: 0600 in a 0700 folder under
 * the OS temp folder, never the dataset) that the editor opens from disk with its built-in player or preview, and
 * that is deleted when its tab closes or the session ends. The opening is audited with its purpose either way.
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
import { DaemonError, type DaemonClient } from '../client/daemonClient';
import { ErrorCode } from '../daemon/protocol';

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
    const request = { root: image.root, file: image.file, identity, passphrase, purpose };
    // A refusal is in the audit log too: the trail is read again either way.
    const shown = await showOriginal(client, request, deps).finally(() => deps.onOpened(image.root));
    try {
      await vscode.commands.executeCommand('vscode.open', shown.uri, { preview: false });
    } finally {
      if (shown.copy) deps.documents.copyShown(shown.copy);
    }
    vscode.window.setStatusBarMessage(`Veil: original of ${image.file}, ${shown.from} (audited)`, 15_000);
    return shown.uri;
  });
}

type OpeningRequest = { root: string; file: string; identity: string; passphrase?: string; purpose: string };

/** The original from memory (`vault/read`), or, when it is too large for that, from a private temp copy (`vault/open`). */
async function showOriginal(client: DaemonClient, request: OpeningRequest, deps: RevealDeps): Promise<{ uri: vscode.Uri; from: string; copy?: string }> {
  try {
    const read = await client.request('vault/read', request);
    deps.log.info(`original of ${request.file} (${read.bytes} bytes) shown from memory for "${read.purpose}" with the key of ${read.recipient}; audit checkpoint ${JSON.stringify(read.checkpoint)}`);
    return { uri: deps.documents.hold(request.root, request.file, Buffer.from(read.base64, 'base64')), from: 'from memory' };
  } catch (error) {
    if (!DaemonError.is(error) || error.code !== ErrorCode.TooLarge) throw error;
  }
  const copies = deps.documents.tempCopies;
  const out = await copies.pathFor(request.file);
  try {
    const opened = await client.request('vault/open', { ...request, out });
    deps.log.info(`original of ${request.file} (${opened.bytes} bytes) written to the private temp copy ${out} for "${opened.purpose}" with the key of ${opened.recipient}, deleted when its tab closes; audit checkpoint ${JSON.stringify(opened.checkpoint)}`);
  } catch (error) {
    await copies.remove(out);
    throw error;
  }
  return { uri: vscode.Uri.file(out), from: 'from a private temp copy', copy: out };
}
