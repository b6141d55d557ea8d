/** A vault of N random 3 MB originals encrypted to two keys, as a commit stores them (bench/rotate.ts, bench/backup.ts). */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eachInFlight } from '../../daemon/core/inFlight';
import { createIdentity } from '../../daemon/vault/identity';
import { addRecipient } from '../../daemon/vault/recipients';
import { listVaultObjects, storeOriginal } from '../../daemon/vault/vault';

export const ORIGINAL_BYTES = 3_000_000;

export interface Key {
  identity: string;
  recipient: string;
  identityFile: string;
}

export async function newKey(dir: string, name: string): Promise<Key> {
  const key = await createIdentity();
  const identityFile = join(dir, `${name}.key`);
  writeFileSync(identityFile, key.identity + '\n', { mode: 0o600 });
  return { ...key, identityFile };
}

/** A vault of `count` distinct random originals, encrypted to both keys as a commit stores them. */
export async function makeVault(root: string, count: number, keys: Key[]): Promise<string[]> {
  for (const key of keys) await addRecipient(root, key.recipient);
  const recipients = keys.map((key) => key.recipient);
  await eachInFlight(Array.from({ length: count }, (_, i) => i), 2, async () => {
    await storeOriginal(root, randomBytes(ORIGINAL_BYTES), recipients);
  });
  return listVaultObjects(root);
}
