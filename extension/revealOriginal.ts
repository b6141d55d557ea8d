/**
 * "Reveal Original" (a committed image of the Veil view, an image file, or the palette): a key holder sees the original
 * of a committed image, read-only and from memory. The identity file is picked, its passphrase asked when `keys/inspect`
 * says it has one, and `vault/read` (audited before it decrypts, like `veil open`) returns the bytes, which
 * OriginalDocuments shows in the image preview without writing them anywhere.
 */
import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import { veilHome } from './config';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import { isNode } from './datasetsView';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { OriginalDocuments } from './originalDocuments';
import { askPassphrase } from './passphrasePrompt';
import { realPath } from './realPath';

/** Global-state key of the identity file used last: the next reveal's dialog starts there. */
const LAST_IDENTITY = 'veil.originals.identity';

interface RevealDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  documents: OriginalDocuments;
  memory: vscode.Memento;
  /** Told after each opening, which the audit log now records. */
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
  const folder = await resolveDatasetFolder(target, 'Reveal');
  if (!folder) return undefined;
  const root = index.rootOf(folder) ?? folder;
  const committed = index.get(root)?.snapshot?.list('committed') ?? [];
  if (committed.length === 0) throw new Error(`${root} has no committed image whose original the vault keeps`);
  const picked = await vscode.window.showQuickPick(
    committed.map(({ file }) => ({ label: file })),
    { title: 'Veil: the committed image whose original to reveal', ignoreFocusOut: true },
  );
  return picked && { root, file: picked.label };
}

async function pickIdentity(memory: vscode.Memento): Promise<string | undefined> {
  const last = memory.get<string>(LAST_IDENTITY);
  const [picked] =
    (await vscode.window.showOpenDialog({
      title: 'Veil: the key (identity file) the originals were encrypted to',
      defaultUri: vscode.Uri.file(last ?? veilHome()),
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Use Key',
    })) ?? [];
  if (picked) await memory.update(LAST_IDENTITY, picked.fsPath);
  return picked?.fsPath;
}

export function registerRevealOriginal(deps: RevealDeps): void {
  registerVeilCommand(deps, 'veil.revealOriginal', async (target) => {
    const image = await imageToReveal(target, deps.index);
    if (!image) return undefined;
    const identity = await pickIdentity(deps.memory);
    if (!identity) return undefined;
    const client = await deps.supervisor.client();
    const { passphraseProtected } = await client.request('keys/inspect', { identity });
    const passphrase = passphraseProtected ? await askPassphrase(identity) : undefined;
    if (passphraseProtected && passphrase === undefined) return undefined;
    const read = await client.request('vault/read', { root: image.root, file: image.file, identity, passphrase });
    deps.log.info(`original of ${image.file} (${read.bytes} bytes) shown from memory; audit checkpoint ${JSON.stringify(read.checkpoint)}`);
    deps.onOpened(image.root);
    const uri = deps.documents.hold(image.root, image.file, Buffer.from(read.base64, 'base64'));
    await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
    vscode.window.setStatusBarMessage(`Veil: original of ${image.file}, from memory (audited)`, 15_000);
    return uri;
  });
}
