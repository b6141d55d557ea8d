/** `vault/open`: one original decrypted with an identity file, the opening logged before the decrypt. */
import { resolve } from 'node:path';
import type { VaultOpenParams, VaultOpenResult } from '../protocol';
import type { Actor } from '../core/callContext';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { openOriginal } from '../vault/openOriginal';

export async function openOriginalFile(params: VaultOpenParams, actor: Actor): Promise<VaultOpenResult> {
  const { passphrase } = params;
  // The keys are loaded (a wrong passphrase refused) before openOriginal writes the audit entry.
  const identities = await loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv());
  const out = resolve(params.out);
  const opened = await openOriginal({ root: params.root, file: params.file, identities, out, actor });
  return { out, ...opened };
}
