/** Identities (private keys) and the recipients of a dataset: `keys/create`, `keys/inspect`. */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KeysCreateParams, KeysCreateResult, KeysInspectParams, KeysInspectResult } from '../protocol';
import { resolveRoot } from '../dataset/paths';
import { createIdentity, identityNeedsPassphrase, writeIdentityFile } from '../vault/identity';
import { addRecipient, recipientsPath } from '../vault/recipients';

/** Writes a new identity (0600, never over an existing file) and, with `addTo`, adds its recipient to that dataset. */
export async function createKey(params: KeysCreateParams): Promise<KeysCreateResult> {
  const out = resolve(params.out);
  // The dataset is checked before anything is written: a mistyped --add-to leaves no stray identity behind.
  const root = params.addTo === undefined ? undefined : resolveRoot(params.addTo);
  const key = await createIdentity();
  await mkdir(dirname(out), { recursive: true });
  await writeIdentityFile(out, key, { passphrase: params.passphrase });
  if (root === undefined) return { recipient: key.recipient, identity: out };
  const added = await addRecipient(root, key.recipient);
  return { recipient: key.recipient, identity: out, addedTo: { path: recipientsPath(root), added } };
}

export async function inspectIdentity(params: KeysInspectParams): Promise<KeysInspectResult> {
  return { passphraseProtected: await identityNeedsPassphrase(resolve(params.identity)) };
}
