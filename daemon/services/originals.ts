/** `vault/open` and `vault/read`: one original decrypted with an identity file, the opening logged before the decrypt. */
import { resolve } from 'node:path';
import type { VaultOpenParams, VaultOpenResult, VaultReadParams, VaultReadResult } from '../protocol';
import type { Actor } from '../core/callContext';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { openOriginal, readOriginal } from '../vault/openOriginal';

/** The keys are loaded (a wrong passphrase refused) before the opening's audit entry is written. */
function identitiesOf(params: { identity: string; passphrase?: string }): Promise<string[]> {
  const { passphrase } = params;
  return loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv());
}

export async function openOriginalFile(params: VaultOpenParams, actor: Actor): Promise<VaultOpenResult> {
  const identities = await identitiesOf(params);
  const out = resolve(params.out);
  const opened = await openOriginal({ root: params.root, file: params.file, identities, out, actor });
  return { out, ...opened };
}

/** `client`: the name the client gave in `initialize`, recorded as where the original was shown. */
export async function readOriginalBytes(params: VaultReadParams, actor: Actor, client: string): Promise<VaultReadResult> {
  const identities = await identitiesOf(params);
  const { original, vaultObject, checkpoint } = await readOriginal({ root: params.root, file: params.file, identities, actor, shownIn: client });
  return { base64: Buffer.from(original).toString('base64'), bytes: original.length, vaultObject, checkpoint };
}
