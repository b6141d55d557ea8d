/**
 * Puts an original too large to hold in memory (a video: gigabytes) in the vault, streamed a block at a time: the
 * same content-addressed object as vault.ts's `storeOriginal` writes for an image, with the same order of effects:
 * 1. the original's sha256 (its object's name), read once;
 * 2. an object already stored under that name with a sound age structure is reused (its ciphertext hashed);
 * 3. else it is sealed into a temp file in the vault (the plaintext hashed again on the way: an original that changes
 *    between the two reads is refused), fsync'd, its ciphertext recorded in the vault index, then renamed into place;
 * 4. the object as published is read back and hashed: it must be what was written.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { vaultObjectPath, vaultObjectRelative, veilPath } from '../dataset/layout';
import { publishNew, tempPathFor } from '../storage/durable';
import { openStateFile } from '../storage/stateFile';
import { BLOCK_CHUNKS, fileSource, openStreamed, readAgeHead, readAgeHeader, sealStreamed, sealedChunkLengths, type AgeFileName } from './ageStream';
import { ageHeadProblem } from './ageFormat';
import { headerOpener } from './reseal';
import { CHUNK } from './encrypt';
import { recordCiphertext } from './vaultIndex';
import type { VaultObject } from './vault';

const BLOCK = BLOCK_CHUNKS * CHUNK;

/** sha256 of the file at `path`, read a block at a time. */
export async function sha256OfFile(path: string, file: string): Promise<{ sha256: string; bytes: number }> {
  const handle = await openStateFile(path, file, 'r');
  try {
    const { size } = await handle.stat();
    const source = fileSource(handle, size, { file, what: 'file' });
    const hash = createHash('sha256');
    for (let position = 0; position < size; position += BLOCK) hash.update(await source.read(position, Math.min(BLOCK, size - position)));
    return { sha256: hash.digest('hex'), bytes: size };
  } finally {
    await handle.close();
  }
}

/** The sha256 of the stored object `id` when its age structure is sound (header and chunk lengths), else undefined. */
async function soundObjectSha256(root: string, id: string): Promise<string | undefined> {
  const name: AgeFileName = { file: vaultObjectRelative(id), what: 'vault object' };
  let handle;
  try {
    handle = await openStateFile(vaultObjectPath(root, id), name.file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { header, size } = await readAgeHeader(handle, name);
    sealedChunkLengths(size - header.length, name);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
  return (await sha256OfFile(vaultObjectPath(root, id), name.file)).sha256;
}

/** Stores the original at `path` (`file`, relative, for messages), whose sha256 is `id`, encrypted to `recipients`. */
export async function storeOriginalFile(root: string, path: string, file: string, id: string, recipients: readonly string[]): Promise<VaultObject> {
  const existing = await soundObjectSha256(root, id);
  if (existing) return { id, sha256: existing };
  const target = vaultObjectPath(root, id);
  await mkdir(veilPath(root, 'vault'), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const input = await openStateFile(path, file, 'r');
    const output = await openStateFile(temp, vaultObjectRelative(id), 'w');
    const ciphertext = createHash('sha256');
    let sealedFrom: string;
    try {
      const { size } = await input.stat();
      sealedFrom = await sealStreamed(fileSource(input, size, { file, what: 'file' }), recipients, async (parts) => {
        for (const part of parts) ciphertext.update(part);
        await output.writev(parts);
      });
      await output.sync();
    } finally {
      await Promise.all([input.close(), output.close()]);
    }
    if (sealedFrom !== id) throw new VeilError(ErrorCode.Conflict, 'changed while it was being committed; left as it is', file);
    const written = ciphertext.digest('hex');
    // Recorded before the object lands, so no object Veil wrote lacks its recipients (`recipients list`).
    await recordCiphertext(root, { vaultObject: id, vaultSha256: written, recipients: [...recipients] });
    if (!(await publishNew(temp, target))) {
      // Another process (a shard of the same split) stored the same original meanwhile: its object is the one kept.
      const raced = await soundObjectSha256(root, id);
      if (!raced) throw new VeilError(ErrorCode.KeyError, 'vault object stored meanwhile by another process is malformed', vaultObjectRelative(id));
      return { id, sha256: raced };
    }
    const readBack = await sha256OfFile(target, vaultObjectRelative(id));
    if (readBack.sha256 !== written) throw new VeilError(ErrorCode.KeyError, 'vault object read back differs from what was written', vaultObjectRelative(id));
    return { id, sha256: written };
  } finally {
    await rm(temp, { force: true });
  }
}

/** What a check of a vault object found: its sha256, a structure problem, and with keys the plaintext's sha256 or why it does not open. */
export interface ObjectCheck {
  sha256: string;
  problem?: string;
  plaintextSha256?: string;
  openError?: unknown;
}

/**
 * Checks the vault object `id` at `path` a block at a time (an original of gigabytes: a video), as verify checks a
 * small one in memory: its ciphertext's sha256, its age structure (header, chunk lengths), and with `identities`
 * the sha256 of what it decrypts to.
 */
export async function checkObjectStreamed(path: string, id: string, identities: readonly string[]): Promise<ObjectCheck> {
  const name: AgeFileName = { file: vaultObjectRelative(id), what: 'vault object' };
  const { sha256 } = await sha256OfFile(path, name.file);
  const handle = await openStateFile(path, name.file, 'r');
  try {
    // The whole header's grammar and the payload's length, as ageStructureProblem checks an object read whole.
    const { head, size } = await readAgeHead(handle, name);
    const problem = ageHeadProblem(head, size);
    if (problem) return { sha256, problem };
    if (identities.length === 0) return { sha256 };
    try {
      const opened = await openStreamed(handle, name, headerOpener(identities), async () => undefined);
      return { sha256, plaintextSha256: opened.sha256 };
    } catch (error) {
      return { sha256, openError: error };
    }
  } finally {
    await handle.close();
  }
}
