/**
 * The purpose of opening an original (README "Access with a purpose"), asked last, just before the opening: a quick
 * pick of the dataset's policy purposes, plus "Other…" for one's own words when the policy accepts them (with no
 * purposes listed, the words are asked for at once). The daemon checks it again and logs it with the opening.
 */
import * as vscode from 'vscode';
import { MAX_PURPOSE_CHARS, acceptsFreeTextPurpose, type PolicyPurposes } from '../daemon/protocol';

/** The quick pick's item for a purpose in one's own words. */
export const OTHER_PURPOSE = 'Other…';

function askOwnWords(title: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'Why the original is opened, in a few words: the audit log records it with your name and key',
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (value.trim() === '') return 'A purpose is required to open an original (Escape cancels)';
      return value.length > MAX_PURPOSE_CHARS ? `At most ${MAX_PURPOSE_CHARS} characters` : undefined;
    },
  });
}

/** The purpose chosen or typed for opening `file`; undefined when the person cancelled (nothing is opened or logged). */
export async function askPurpose(file: string, purposes: PolicyPurposes): Promise<string | undefined> {
  const title = `Veil: Purpose of opening ${file}`;
  const ownWords = acceptsFreeTextPurpose(purposes);
  // The policy check refuses a policy requiring a purpose from an empty list, so an empty list accepts any words.
  if (purposes.allowed.length === 0) return askOwnWords(title);
  const items: vscode.QuickPickItem[] = purposes.allowed.map((label) => ({ label, description: 'a purpose of the dataset\'s policy' }));
  if (ownWords) items.push({ label: OTHER_PURPOSE, description: 'state the purpose in your own words' });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Why is this original opened? The audit log records it', ignoreFocusOut: true });
  if (!picked) return undefined;
  return picked.label === OTHER_PURPOSE ? askOwnWords(title) : picked.label;
}
