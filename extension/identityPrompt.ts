/**
 * Asking for a key holder's identity file (and its passphrase, when `keys/inspect` says it has one): what a change of
 * recipients needs to open each original before re-encrypting it. The dialog starts at the identity file used last.
 */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import { veilHome } from './config';
import { askPassphrase } from './passphrasePrompt';

/** Global-state key of the identity file used last (shared with "Reveal Original": the same person's key). */
const LAST_IDENTITY = 'veil.originals.identity';

export interface UnlockedIdentity {
  identity: string;
  /** Absent when the file has none. */
  passphrase?: string;
}

/** The identity file picked and its passphrase; undefined when the person cancelled either. */
export async function askIdentity(client: DaemonClient, memory: vscode.Memento, title: string): Promise<UnlockedIdentity | undefined> {
  const last = memory.get<string>(LAST_IDENTITY);
  const [picked] =
    (await vscode.window.showOpenDialog({
      title,
      defaultUri: vscode.Uri.file(last ?? veilHome()),
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Use Key',
    })) ?? [];
  if (!picked) return undefined;
  await memory.update(LAST_IDENTITY, picked.fsPath);
  const identity = picked.fsPath;
  const { passphraseProtected } = await client.request('keys/inspect', { identity });
  if (!passphraseProtected) return { identity };
  const passphrase = await askPassphrase(identity);
  return passphrase === undefined ? undefined : { identity, passphrase };
}
