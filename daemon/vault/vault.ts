/**
 * `.veil/vault/<id>.age`: each original, encrypted to every recipient, named by the sha256 of the original
 * (content-addressed, written once by a commit; only a change of recipients replaces an object, with a new
 * ciphertext of the same original, see rotateObject.ts). Written temp + fsync + rename, then read back and checked
 * before anyone relies on it; decrypted and compared when an identity is at hand.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { Decrypter, identityToRecipient } from 'age-encryption';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { vaultObjectPath, vaultObjectRelative, veilPath } from '../dataset/layout';
import { writeAtomic, writeAtomicNew } from '../storage/durable';
import { sha256Hex } from '../storage/hash';
import { readStateFile } from '../storage/stateFile';
import { ageStructureProblem } from './ageFormat';
import { encryptToRecipients } from './encrypt';
import { recordCiphertext } from './vaultIndex';

export interface VaultObject {
  /** sha256 of the original: the object's name. */
  id: string;
  /** sha256 of the encrypted object, to check it later without a key. */
  sha256: string;
}

/** The encrypted object named `id`, undefined when there is none. */
export async function readVaultObject(root: string, id: string): Promise<Buffer | undefined> {
  try {
    return await readStateFile(vaultObjectPath(root, id), vaultObjectRelative(id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Decrypts `ciphertext` (the object named `id`) without checking what it holds; throws a KeyError when it does not decrypt. */
export async function decryptUnchecked(ciphertext: Uint8Array, id: string, identities: readonly string[]): Promise<Uint8Array> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  try {
    return await decrypter.decrypt(ciphertext);
  } catch (error) {
    throw new VeilError(ErrorCode.KeyError, `vault object does not decrypt (${(error as Error).message})`, vaultObjectRelative(id));
  }
}

/**
 * The first of `identities` whose key unwraps the file key of `ciphertext`'s header, with its recipient (`age1…`);
 * undefined when none does. Only the header is read: this is how an opening names the key that opened it before
 * anything is decrypted (age's X25519 stanzas do not name their recipient).
 */
export async function openingKey(ciphertext: Uint8Array, identities: readonly string[]): Promise<{ identity: string; recipient: string } | undefined> {
  for (const identity of identities) {
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    try {
      await decrypter.decryptHeader(ciphertext);
    } catch {
      continue;
    }
    return { identity, recipient: await identityToRecipient(identity) };
  }
  return undefined;
}

/** Decrypts `ciphertext` and checks it is the original named `id`; throws a KeyError otherwise. */
export async function decryptObject(ciphertext: Uint8Array, id: string, identities: readonly string[]): Promise<Uint8Array> {
  const plaintext = await decryptUnchecked(ciphertext, id, identities);
  if (sha256Hex(plaintext) !== id) throw new VeilError(ErrorCode.KeyError, 'vault object decrypts to different content than its name says', vaultObjectRelative(id));
  return plaintext;
}

/** Reads and decrypts the original named `id`. */
export async function openVaultObject(root: string, id: string, identities: readonly string[]): Promise<Uint8Array> {
  const ciphertext = await readVaultObject(root, id);
  if (!ciphertext) throw new VeilError(ErrorCode.KeyError, 'vault object is missing', vaultObjectRelative(id));
  return decryptObject(ciphertext, id, identities);
}

async function storeNow(root: string, original: Uint8Array, id: string, recipients: readonly string[], identities: readonly string[]): Promise<VaultObject> {
  const path = vaultObjectPath(root, id);
  const existing = await readVaultObject(root, id);
  let expected: Uint8Array;
  let written: string | undefined;
  if (existing && !ageStructureProblem(existing)) {
    expected = existing;
  } else {
    expected = await encryptToRecipients(original, recipients);
    written = sha256Hex(expected);
    await mkdir(veilPath(root, 'vault'), { recursive: true });
    // Recorded before the object lands, so no object Veil wrote lacks its recipients (`recipients list`).
    await recordCiphertext(root, { vaultObject: id, vaultSha256: written, recipients: [...recipients] });
    if (existing) await writeAtomic(path, expected, 0o644);
    else if (!(await writeAtomicNew(path, expected, 0o644))) {
      // Another process (a shard of the same split) stored the same original meanwhile: its object is the one kept.
      const raced = await readVaultObject(root, id);
      if (!raced) throw new VeilError(ErrorCode.KeyError, 'vault object vanished while it was being stored', vaultObjectRelative(id));
      expected = raced;
      written = undefined;
    }
  }
  const stored = written === undefined ? expected : await readVaultObject(root, id);
  if (!stored || !Buffer.from(expected).equals(stored)) throw new VeilError(ErrorCode.KeyError, 'vault object read back differs from what was written', vaultObjectRelative(id));
  const problem = ageStructureProblem(stored);
  if (problem) throw new VeilError(ErrorCode.KeyError, `vault object is malformed (${problem})`, vaultObjectRelative(id));
  if (identities.length > 0) await decryptObject(stored, id, identities);
  // What was read back equals what was written (checked above): its hash is the one already computed.
  return { id, sha256: written ?? sha256Hex(stored) };
}

/** The ids of the objects in the vault (`<sha256>.age`; temp files and anything else are not objects). */
export async function listVaultObjects(root: string): Promise<string[]> {
  const names = await readdir(veilPath(root, 'vault')).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.flatMap((name) => (/^[0-9a-f]{64}\.age$/.test(name) ? [name.slice(0, 64)] : [])).sort();
}

/** Stores in progress, by object path: two images with the same content share one write. */
const storing = new Map<string, Promise<VaultObject>>();

/**
 * Puts `original` in the vault (or reuses the object already stored for the same content) and checks what is
 * on disk: the bytes read back equal what was encrypted and the age structure is sound; with `identities`,
 * also that it decrypts to the original.
 */
export function storeOriginal(root: string, original: Uint8Array, recipients: readonly string[], identities: readonly string[] = []): Promise<VaultObject> {
  const id = sha256Hex(original);
  const path = vaultObjectPath(root, id);
  const pending = storing.get(path);
  if (pending) return pending;
  const store = storeNow(root, original, id, recipients, identities).finally(() => storing.delete(path));
  storing.set(path, store);
  return store;
}
