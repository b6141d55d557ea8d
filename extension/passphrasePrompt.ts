/** Passphrases asked in a password box: the daemon cannot prompt, so the editor asks (as the CLI asks on its terminal). */
import * as vscode from 'vscode';

/** The passphrase of an existing identity file; undefined when the person cancelled. */
export function askPassphrase(identity: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Veil: passphrase of the key',
    prompt: `${identity} is protected by a passphrase`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value === '' ? 'Type the passphrase (Escape cancels)' : undefined),
  });
}

/**
 * A passphrase for a new key, typed twice; '' for none (the file is still private to its owner, mode 0600);
 * undefined when the person cancelled.
 */
export async function askNewPassphrase(): Promise<string | undefined> {
  const first = await vscode.window.showInputBox({
    title: 'Veil: passphrase for the new key (optional)',
    prompt: 'Protects the key file with age scrypt (the stock `age -d` opens it); leave empty for none',
    password: true,
    ignoreFocusOut: true,
  });
  if (!first) return first;
  const again = await vscode.window.showInputBox({
    title: 'Veil: the passphrase again',
    prompt: 'Type the same passphrase to confirm it',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value === first ? undefined : 'The passphrases differ'),
  });
  return again === undefined ? undefined : first;
}
