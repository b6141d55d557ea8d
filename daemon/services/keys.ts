/** Identities (private keys) and the recipients of a dataset: `keys/create`, `keys/inspect`. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KeysCreateParams, KeysCreateResult, KeysInspectParams, KeysInspectResult } from '../protocol';
import { isInside, realWriteTarget, resolveRoot } from '../dataset/paths';
import { isDatasetRoot, locateDataset } from '../dataset/locate';
import { VeilError } from '../errors';
import { ErrorCode } from '../protocol';
import { createIdentity, identityNeedsPassphrase, writeIdentityFile } from '../vault/identity';
import { addRecipient, recipientsPath } from '../vault/recipients';

/** Writes a new identity (0600, never over an existing file) and, with `addTo`, adds its recipient to that dataset. */
export async function createKey(params: KeysCreateParams): Promise<KeysCreateResult> {
  // The dataset is checked before anything is written: a mistyped --add-to leaves no stray identity behind.
  const root = params.addTo === undefined ? undefined : resolveRoot(params.addTo);
  const out = realWriteTarget(params.out);
  refuseKeyInDataset(out, root, params.out);
  await mkdir(dirname(out), { recursive: true });
  const key = await createIdentity();
  await writeIdentityFile(out, key, { passphrase: params.passphrase });
  if (root === undefined) return { recipient: key.recipient, identity: out };
  const added = await addRecipient(root, key.recipient);
  return { recipient: key.recipient, identity: out, addedTo: { path: recipientsPath(root), added } };
}

/**
 * A private key never lives inside a dataset: datasets are shared, copied and versioned, and whoever holds the key
 * opens every original (an identity) or signs the dataset's history (a signing key: `why` says which). Inside means
 * under the dataset given with --add-to, or under any folder that is a dataset (its `.veil/` holds a review state, an
 * audit log, recipients or a policy: `isDatasetRoot`), which includes that dataset's `.veil/`. The Veil home
 * (`~/.veil`, where `veil keygen` writes by default) is no dataset's `.veil/`.
 */
export function refuseKeyInDataset(out: string, addTo: string | undefined, asTyped: string, why = 'anyone with the dataset could open every original'): void {
  let existing = dirname(out);
  while (!existsSync(existing)) existing = dirname(existing);
  const dataset = locateDataset(existing);
  const inDataset = dataset.scope !== '' || isDatasetRoot(dataset.root);
  if (inDataset || (addTo !== undefined && isInside(addTo, out))) {
    throw new VeilError(ErrorCode.BadPath, `refusing to write a private key inside a dataset (${why}); choose a path outside it`, asTyped);
  }
}

export async function inspectIdentity(params: KeysInspectParams): Promise<KeysInspectResult> {
  return { passphraseProtected: await identityNeedsPassphrase(resolve(params.identity)) };
}
