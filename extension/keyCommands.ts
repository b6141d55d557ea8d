/**
 * "Veil: Create Key…", the editor's `veil keygen`: where to save the identity, an optional passphrase and the dataset
 * to add its recipient to, then `keys/create` does the work (file mode 0600, never over an existing file, never inside
 * a dataset: its refusal is shown as it is).
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { KeysCreateResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import { veilHome } from './config';
import type { DaemonSupervisor } from './daemonSupervisor';
import { askNewPassphrase } from './passphrasePrompt';

interface KeyCommandDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  /** The datasets of the Veil view: the recipient can go to one of them. */
  datasets: { all(): ReadonlyArray<{ root: string }> };
}

/** The dataset whose recipients receive the new key: a root, '' for none, undefined when the person cancelled. */
async function pickRecipientDataset(roots: readonly string[]): Promise<string | undefined> {
  if (roots.length === 0) return '';
  const none = { label: "Don't add it to a dataset", description: 'add it to <dataset>/.veil/recipients.txt later', root: '' };
  const items = [none, ...roots.map((root) => ({ label: basename(root), description: root, root }))];
  const picked = await vscode.window.showQuickPick(items, {
    title: "Veil: add the key's recipient to a dataset?",
    placeHolder: "The dataset's commits then encrypt its originals to this key",
    ignoreFocusOut: true,
  });
  return picked?.root;
}

function createdMessage(created: KeysCreateResult, protectedByPassphrase: boolean): string {
  const key = `Veil: key created at ${created.identity} (readable by you only${protectedByPassphrase ? ', passphrase-protected' : ''}).`;
  if (!created.addedTo) return `${key} Its recipient is in no dataset yet: add it to <dataset>/.veil/recipients.txt.`;
  return `${key} Its recipient ${created.addedTo.added ? 'was added to' : 'was already in'} ${created.addedTo.path}.`;
}

export function registerKeyCommands(deps: KeyCommandDeps): void {
  registerVeilCommand(deps, 'veil.createKey', async () => {
    const target = await vscode.window.showSaveDialog({
      title: 'Veil: where to save the new key (private: keep it outside every dataset)',
      defaultUri: vscode.Uri.file(join(veilHome(), 'identity.txt')),
      saveLabel: 'Create Key',
    });
    if (!target) return undefined;
    const passphrase = await askNewPassphrase();
    if (passphrase === undefined) return undefined;
    const addTo = await pickRecipientDataset(deps.datasets.all().map((dataset) => dataset.root));
    if (addTo === undefined) return undefined;
    const client = await deps.supervisor.client();
    const created = await client.request('keys/create', { out: target.fsPath, passphrase: passphrase || undefined, addTo: addTo || undefined });
    deps.log.info(`key created at ${created.identity}; recipient ${created.recipient}`);
    void vscode.window.showInformationMessage(createdMessage(created, passphrase !== ''), 'Copy Recipient').then((choice) => {
      if (choice) void vscode.env.clipboard.writeText(created.recipient);
    });
    return created;
  });
}
