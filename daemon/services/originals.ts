/**
 * `vault/open` and `vault/read`: one original decrypted with an identity file, for a purpose; the opening, or its
 * refusal, logged before anything is decrypted or answered (daemon/vault/openOriginal.ts).
 */
import { resolve } from 'node:path';
import type { VaultOpenParams, VaultOpenResult, VaultReadParams, VaultReadResult } from '../protocol';
import type { Actor } from '../core/callContext';
import { resolveRoot } from '../dataset/paths';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { openOriginal, readOriginal } from '../vault/openOriginal';
import type { OpenDatasets } from './datasets';

/** The keys, loaded (a wrong passphrase refused, and the refusal logged) once the purpose and the object passed. */
function keysOf(params: { identity: string; passphrase?: string }): () => Promise<string[]> {
  const { passphrase } = params;
  return () => loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv());
}

/** The daemon's follower of the dataset's log: each opening reads only what was appended since the last one. */
function auditedBy(datasets: OpenDatasets, root: string) {
  const follower = datasets.audit(resolveRoot(root));
  return () => follower.latest();
}

export async function openOriginalFile(params: VaultOpenParams, actor: Actor, datasets: OpenDatasets): Promise<VaultOpenResult> {
  const out = resolve(params.out);
  const opened = await openOriginal({ root: params.root, file: params.file, purpose: params.purpose, keys: keysOf(params), out, actor, audited: auditedBy(datasets, params.root) });
  return { out, ...opened };
}

/** `client`: the name the client gave in `initialize`, recorded as where the original was shown. */
export async function readOriginalBytes(params: VaultReadParams, actor: Actor, client: string, datasets: OpenDatasets): Promise<VaultReadResult> {
  const { original, ...opened } = await readOriginal({ root: params.root, file: params.file, purpose: params.purpose, keys: keysOf(params), actor, shownIn: client, audited: auditedBy(datasets, params.root) });
  return { base64: Buffer.from(original).toString('base64'), bytes: original.length, ...opened };
}
